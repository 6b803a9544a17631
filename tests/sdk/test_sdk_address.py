"""The SDK kit's one front-address check (`vtcore.gateways._sdk.address.front_address`): what vn.py users
write and the simulators' own addresses pass, anything an SDK would only time out on is a SettingsError naming
the key and never quoting the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from vtcore.errors import SettingsError
from vtcore.gateways._sdk.address import front_address
from vtcore.gateways._sdk.sim import front_address as simulator_address


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        ("tcp://180.168.146.187:10130", "tcp://180.168.146.187:10130"),
        ("180.168.146.187:10130", "tcp://180.168.146.187:10130"),  # vn.py adds tcp://
        (" tcp://front.example.com:41205 ", "tcp://front.example.com:41205"),
        ("tcp://[::1]:5", "tcp://[::1]:5"),
        ("tcp://127.0.0.1:65535", "tcp://127.0.0.1:65535"),
        ("tcp://127.0.0.1:0", "tcp://127.0.0.1:0"),  # the simulator's built-in configuration
        ("tcp://127.0.0.1:0?config=/tmp/a b/sim.json", "tcp://127.0.0.1:0?config=/tmp/a b/sim.json"),
    ],
)
def test_an_address_an_sdk_takes_passes(given: str, taken: str) -> None:
    assert front_address("CTP", "td_address", given) == taken


def test_the_simulators_own_addresses_pass(tmp_path: Path) -> None:
    for address in (simulator_address(), simulator_address(tmp_path / "sim.json")):
        assert front_address("OES", "td_ord_server", address) == address


def test_ssl_and_proxies_only_where_the_sdk_takes_them() -> None:
    assert front_address("CTP", "td_address", "ssl://h:1", ("tcp", "ssl"), proxies=True) == "ssl://h:1"
    proxy = "socks5://127.0.0.1:1080/tcp://h:1"
    assert front_address("CTP", "td_address", proxy, ("tcp", "ssl"), proxies=True) == proxy
    for refused in ("ssl://h:1", proxy):
        with pytest.raises(SettingsError, match="'td_address' must start with tcp://"):
            front_address("FEMAS", "td_address", refused)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("", "is empty"),
        ("tcp://", "has no port"),
        ("tcp://secret-host", "has no port"),
        ("secret-host", "has no port"),
        ("tcp://secret-host:99999", "out of range"),
        ("tcp://secret-host:0", "out of range"),  # port 0 is the simulator's, on 127.0.0.1 only
        ("tcp://secret-host:abc", "not a number"),
        ("tcp://secret-host:-1", "not a number"),
        ("tcp://secret-host:１２", "not a number"),  # full-width digits
        ("http://secret-host:1", "must start with tcp://"),  # vn.py made it tcp://http://...
        ("tcp://http://secret-host:1", "no valid host"),
        ("tcp://:1", "no valid host"),
        ("tcp://secret host:1", "no valid host"),
        ("tcp://secret-host:1?config=x", "'\\?' after the port"),
    ],
)
def test_a_malformed_address_is_refused_naming_the_key_not_the_value(given: str, why: str) -> None:
    with pytest.raises(SettingsError, match=why) as refused:
        front_address("FEMAS", "md_address", given)
    text = str(refused.value)
    assert "'md_address'" in text and "FEMAS" in text
    assert "secret" not in text
