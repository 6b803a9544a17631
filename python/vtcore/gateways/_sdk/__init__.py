"""The Python half every C++ SDK gateway shares (the C++ half is cpp/sdk/, the generator tools/sdkgen/).

* `structs`  — `SdkStruct`, the base of the generated typed classes for every request and message struct
* `messages` — a binding's message -> `Message` (callback name, request id, is_last, typed data and error
  views)
* `build`    — what the build recorded per SDK (found, API version, why not) and loading a binding module
* `library`  — where an SDK's vendor libraries are found (setting, environment variable, package, simulator)
* `front`    — one front (API object) of a gateway: its state machine, connect timeout, login lockout guard
  and
  the query pump (one request per second, never blocking a callback)
* `sim`      — the simulator libraries of each SDK front-end, their configuration and control socket
* `unavailable` — the stand-in gateway class when a build has no binding for an SDK
"""
