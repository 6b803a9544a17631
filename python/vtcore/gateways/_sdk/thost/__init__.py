"""The Thost family's shared gateway half (CTP, CTP-Mini): codes, mappings, messages and `ThostGateway`."""
