"""The vn.py baseline environment, made once into a cache folder outside the repository.

What it holds (vnpy.md §11.3):

* ``site-vnpy/``: ``vnpy==4.5.0`` installed with ``--no-deps`` (its event engine, data objects and gateway
  base import only the standard library);
* ``site-vnpy-ctp/``: ``vnpy_ctp==6.7.11.4`` built from its sdist (``--no-binary vnpy_ctp``), used unmodified;
* ``site-vnpy-mini/``: ``vnpy_mini==1.7.7.0`` built from its sdist the same way (CTP-Mini's baseline);
* ``locale/zh_CN.GB18030``: the locale vnpy_ctp's GBK -> UTF-8 conversion needs, made with ``localedef``
  without root and used through ``LOCPATH``;
* ``stamp/libthostmduserapi_se.so``: built from ``benchmarks/native/stamp_md.cpp`` against vtcore's simulator
  core, for latency runs only: it stamps each tick's send time into its limit prices (see the source).

The folder is ``$VTCORE_BENCH_CACHE``, default ``~/.cache/vtcore/bench``. Nothing here touches the system
Python: packages go into plain folders that the benchmark's subprocesses put on ``sys.path``.
"""

# Imports inside functions on purpose: vn.py modules exist only once a worker has set up its paths,
# and each worker imports only the system it measures.
# ruff: noqa: PLC0415

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VNPY = "vnpy==4.5.0"
VNPY_CTP = "vnpy_ctp==6.7.11.4"
VNPY_MINI = "vnpy_mini==1.7.7.0"
#: the A-share baselines (bench_ashare.py), built from their sdists like vnpy_ctp into ``site-vnpy-<sdk>/``
#: when first needed (not part of `complete()`: only bench_ashare uses them)
VNPY_STOCK = {"xtp": "vnpy_xtp==2.2.32.2.3", "tora": "vnpy_tora==2026.10.5"}
#: each one's trading extension (its build's proof)
VNPY_STOCK_TRADER = {"xtp": "vnxtptd", "tora": "vntorastock"}
#: what their ``__init__`` imports beyond vnpy (the importlib.metadata backport), into the same folder
VNPY_STOCK_IMPORTS = ("importlib_metadata==8.7.0", "zipp==3.23.0")
#: vn.py 4.x apps that run on vtcore through `vtcore.vnpy_compat` (tests/vnpy/, bench_cta.py), installed with
#: --no-deps into ``site-vnpy-apps/`` beside ``site-vnpy/``: pip cannot say --no-deps in an extra, and vnpy's
#: own requirements would pull PySide6 6.8 (a GUI) and much else these engines never import. What they do
#: import at run time (ta-lib's binary wheel, loguru, tzlocal, peewee) is pinned in vtcore's test extra.
#: vnpy_riskmanager 2.0.0 is an sdist: pip builds its Cython rule template (a C compiler, ~30 s, once).
#: vnpy_spreadtrading is there because vnpy_datarecorder imports its base module.
VNPY_APPS = (
    "vnpy_ctastrategy==1.4.1",
    "vnpy_datamanager==1.2.0",
    "vnpy_datarecorder==1.1.1",
    "vnpy_riskmanager==2.0.0",
    "vnpy_spreadtrading==1.4.0",
    "vnpy_sqlite==1.1.3",
)
CACHE_ENV = "VTCORE_BENCH_CACHE"
HERE = Path(__file__).resolve().parent


def cache_root() -> Path:
    root = Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "vtcore" / "bench")).expanduser()
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    return root / tag


@dataclass(frozen=True)
class BaselineEnv:
    root: Path

    @property
    def site_vnpy(self) -> Path:
        return self.root / "site-vnpy"

    @property
    def site_vnpy_apps(self) -> Path:
        return self.root / "site-vnpy-apps"

    def has_vnpy_apps(self) -> bool:
        stamp = self.site_vnpy_apps / "requirements.txt"
        return stamp.is_file() and stamp.read_text(encoding="utf-8").split() == list(VNPY_APPS)

    @property
    def site_vnpy_ctp(self) -> Path:
        return self.root / "site-vnpy-ctp"

    @property
    def api_dir(self) -> Path:
        return self.site_vnpy_ctp / "vnpy_ctp" / "api"

    @property
    def site_vnpy_mini(self) -> Path:
        return self.root / "site-vnpy-mini"

    @property
    def mini_api_dir(self) -> Path:
        return self.site_vnpy_mini / "vnpy_mini" / "api"

    def site_vnpy_stock(self, sdk: str) -> Path:
        """``site-vnpy-xtp/`` or ``site-vnpy-tora/`` (VNPY_STOCK)."""
        return self.root / f"site-vnpy-{sdk}"

    def has_vnpy_stock(self, sdk: str) -> bool:
        folder = self.site_vnpy_stock(sdk)
        return (
            bool(list((folder / f"vnpy_{sdk}" / "api").glob(f"{VNPY_STOCK_TRADER[sdk]}.*.so")))
            and (folder / "importlib_metadata").is_dir()
        )

    @property
    def locale_dir(self) -> Path:
        return self.root / "locale"

    @property
    def stamp_dir(self) -> Path:
        """The CTP stamping library's folder (see `stamp_dir_for`)."""
        return self.stamp_dir_for("ctp")

    def stamp_dir_for(self, sdk: str) -> Path:
        """Per simulator build and SDK ("ctp", "mini"): the stamping library opens that build's simulator
        front-end. Laid out like `sim_lib` (`<key>/<sdk>/`, with the simulator core at `<key>/`): the
        simulator's trader library beside it finds the core through RUNPATH $ORIGIN/.."""
        from vtcore.gateways._sdk.sim import FRONT_ENDS

        key = hashlib.sha256(str(FRONT_ENDS[sdk].library_dir()).encode()).hexdigest()[:12]
        return self.root / "stamp" / key / sdk

    def has_vnpy(self) -> bool:
        return (self.site_vnpy / "vnpy" / "event" / "engine.py").is_file()

    def has_vnpy_ctp(self) -> bool:
        return bool(list(self.api_dir.glob("vnctpmd.*.so"))) and bool(list(self.api_dir.glob("vnctptd.*.so")))

    def has_vnpy_mini(self) -> bool:
        api = self.mini_api_dir
        return bool(list(api.glob("vnminimd.*.so"))) and bool(list(api.glob("vnminitd.*.so")))

    def has_locale(self) -> bool:
        return (self.locale_dir / "zh_CN.GB18030" / "LC_CTYPE").is_file()

    def has_stamp(self, sdk: str = "ctp") -> bool:
        from vtcore.gateways._sdk.sim import FRONT_ENDS

        return (self.stamp_dir_for(sdk) / FRONT_ENDS[sdk].md_name).is_file()

    def complete(self) -> bool:
        return (
            self.has_vnpy()
            and self.has_vnpy_ctp()
            and self.has_vnpy_mini()
            and self.has_locale()
            and all(self.has_stamp(sdk) for sdk in stamp_sdks())
        )

    def subprocess_env(self, library_dir: Path) -> dict[str, str]:
        """Environment of a vn.py worker: the simulator (or the stamping library) ahead of vnpy_ctp's own
        libraries (LD_LIBRARY_PATH beats the extension's RUNPATH $ORIGIN), and the GB18030 locale."""
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(library_dir), env.get("LD_LIBRARY_PATH")]))
        env["LOCPATH"] = str(self.locale_dir)
        return env


#: the Thost-family front-ends native/stamp_md.cpp is written for (the A-share ones have other market-data
#: APIs)
STAMP_FRONT_ENDS = ("ctp", "mini")


def stamp_sdks() -> list[str]:
    """The Thost-family SDKs whose simulator front-end this build has (each gets a stamping library)."""
    from vtcore.errors import SdkUnavailableError
    from vtcore.gateways._sdk.sim import FRONT_ENDS

    built = []
    for sdk, front in FRONT_ENDS.items():
        if sdk not in STAMP_FRONT_ENDS:
            continue
        try:
            front.library_dir()
        except SdkUnavailableError:
            continue
        built.append(sdk)
    return built


def cached_env() -> BaselineEnv | None:
    """The baseline environment if it is already complete (no building), else None."""
    env = BaselineEnv(cache_root())
    return env if env.complete() else None


def _pip_target(
    requirement: str | tuple[str, ...], target: Path, *extra: str, log: Callable[[str], None]
) -> None:
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        *extra,
        "--target",
        str(staging),
        *([requirement] if isinstance(requirement, str) else requirement),
    ]
    log(" ".join(command[2:]))
    subprocess.run(command, check=True, timeout=1800)
    if not isinstance(requirement, str):
        (staging / "requirements.txt").write_text("\n".join(requirement) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)


def _include_dir(sdk: str) -> Path:
    from vtcore.gateways._sdk.sim import FRONT_ENDS

    info = FRONT_ENDS[sdk].build_info()
    candidates = [Path(info.get("include_dir", ""))]
    candidates += sorted(HERE.parent.glob(f"build/*/sdk/{sdk}/{info.get('api_version', '')}/include"))
    for folder in candidates:
        if (folder / "ThostFtdcMdApi.h").is_file():
            return folder
    raise RuntimeError(f"the {sdk} headers are not found (the simulator's build_info() include_dir)")


def build_stamp_library(env: BaselineEnv, log: Callable[[str], None], sdk: str = "ctp") -> Path:
    from vtcore.gateways._sdk.sim import CORE_LIBRARY_NAME, FRONT_ENDS

    front = FRONT_ENDS[sdk]
    sim_dir = front.library_dir()
    stamp_dir = env.stamp_dir_for(sdk)
    stamp_dir.mkdir(parents=True, exist_ok=True)
    output = stamp_dir / front.md_name
    compiler = os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")
    if compiler is None:
        raise RuntimeError("no C++ compiler (g++) for the stamping market-data library")
    command = [
        compiler,
        "-O2",
        "-std=c++17",
        "-shared",
        "-fPIC",
        "-o",
        str(output) + ".tmp",
        f"-I{_include_dir(sdk)}",
        str(HERE / "native" / "stamp_md.cpp"),
        f'-DVTCORE_SIM_MD_LIBRARY="{sim_dir / front.md_name}"',
        *(["-DVTCORE_STAMP_MINI"] if sdk == "mini" else []),
        "-ldl",
        f"-Wl,-soname,{front.md_name}",
    ]
    log(" ".join(command))
    subprocess.run(command, check=True, timeout=300)
    os.replace(str(output) + ".tmp", output)
    # vtcore's gateway loads both libraries from one folder: the real simulator's trader library beside it.
    links = {
        stamp_dir / front.td_name: sim_dir / front.td_name,
        stamp_dir.parent / CORE_LIBRARY_NAME: sim_dir.parent / CORE_LIBRARY_NAME,
    }
    for link, target in links.items():
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return output


def ensure_env(log: Callable[[str], None] = print) -> BaselineEnv:
    """Make whatever part of the baseline environment is missing; return it complete."""
    env = BaselineEnv(cache_root())
    env.root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if not env.has_vnpy():
        _pip_target(VNPY, env.site_vnpy, log=log)
    if not env.has_vnpy_ctp():
        # Built from the sdist (about 40 s: meson-python, pybind11, a C++ compiler). `--no-binary :all:`
        # would also force the build backend's own dependencies to build from source, so name the package.
        _pip_target(VNPY_CTP, env.site_vnpy_ctp, "--no-binary", "vnpy_ctp", log=log)
    if not env.has_vnpy_mini():
        _pip_target(VNPY_MINI, env.site_vnpy_mini, "--no-binary", "vnpy_mini", log=log)
    if not env.has_locale():
        localedef = shutil.which("localedef")
        if localedef is None:
            raise RuntimeError("localedef is not installed: it makes the zh_CN.GB18030 locale vnpy_ctp needs")
        env.locale_dir.mkdir(parents=True, exist_ok=True)
        log(f"localedef -i zh_CN -f GB18030 {env.locale_dir / 'zh_CN.GB18030'}")
        subprocess.run(
            [localedef, "-i", "zh_CN", "-f", "GB18030", str(env.locale_dir / "zh_CN.GB18030")],
            check=False,
            timeout=600,
        )
        if not env.has_locale():
            raise RuntimeError("localedef did not produce the zh_CN.GB18030 locale")
    for sdk in stamp_sdks():
        if not env.has_stamp(sdk):
            build_stamp_library(env, log, sdk)
    log(f"baseline environment ready in {env.root} ({time.monotonic() - started:.1f} s)")
    return env


def ensure_vnpy_stock(sdk: str, log: Callable[[str], None] = print) -> BaselineEnv:
    """The baseline env (ensure_env) plus vnpy_<sdk> (VNPY_STOCK) built from its sdist, made if missing."""
    env = ensure_env(log)
    if not env.has_vnpy_stock(sdk):
        requirements = (VNPY_STOCK[sdk], *VNPY_STOCK_IMPORTS)
        _pip_target(requirements, env.site_vnpy_stock(sdk), "--no-binary", f"vnpy_{sdk}", log=log)
    return env


def absolute_needed(extension: Path) -> list[str]:
    """The DT_NEEDED entries of `extension` that are absolute paths (from `readelf -d`)."""
    command = ["readelf", "-d", str(extension)]
    dynamic = subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split("[", 1)[1].rstrip("]") for line in dynamic if "(NEEDED)" in line and "[/" in line]


def point_stock_libraries(env: BaselineEnv, sdk: str, library_dir: Path) -> list[Path]:
    """vnpy_tora's sdist build links its vendor libraries, which have no SONAME, by the absolute path of pip's
    temporary build folder, so neither LD_LIBRARY_PATH nor its RUNPATH can redirect them: make that recorded
    path name `library_dir`'s library of the same name (a symbolic link; vnpy_tora itself stays unmodified),
    or the package's own where the simulator has none.
    Returns the links made (none for vnpy_xtp, which links by name)."""
    made = []
    api_dir = env.site_vnpy_stock(sdk) / f"vnpy_{sdk}" / "api"
    for extension in api_dir.glob("vn*.so"):
        for needed in absolute_needed(extension):
            link = Path(needed)
            # a library the simulator does not have (TORA's option trader, which the package imports but the
            # stock benchmark never calls) stays the package's own
            target = library_dir / link.name if (library_dir / link.name).is_file() else api_dir / link.name
            temporary = str(link).startswith(tempfile.gettempdir())
            if not target.is_file() or not link.is_absolute() or not temporary:
                continue  # only the build's vanished temporary folder is ever recreated
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target)
            made.append(link)
    return made


def stock_worker_env(env: BaselineEnv, sdk: str, library_dir: Path) -> dict[str, str]:
    """Environment of a process running vnpy_xtp or vnpy_tora on the simulator's libraries in `library_dir`:
    vnpy_xtp finds them through LD_LIBRARY_PATH (ahead of its RUNPATH), vnpy_tora through the links of
    `point_stock_libraries`, from which the simulator's libraries find their core (RUNPATH $ORIGIN/..) in
    `library_dir`'s parent, added to the path."""
    process_env = env.subprocess_env(library_dir)
    if point_stock_libraries(env, sdk, library_dir):
        process_env["LD_LIBRARY_PATH"] += os.pathsep + str(library_dir.parent)
    return process_env


def ensure_vnpy_apps(log: Callable[[str], None] = print) -> BaselineEnv:
    """vnpy (no deps) and the VNPY_APPS, made if missing; their run-time imports come from the test extra."""
    env = BaselineEnv(cache_root())
    env.root.mkdir(parents=True, exist_ok=True)
    if not env.has_vnpy():
        _pip_target(VNPY, env.site_vnpy, log=log)
    if not env.has_vnpy_apps():
        _pip_target(VNPY_APPS, env.site_vnpy_apps, log=log)
    return env


def add_vnpy_app_paths(env: BaselineEnv) -> None:
    """vn.py and its apps importable in this process (after vtcore's own packages)."""
    for folder in (env.site_vnpy, env.site_vnpy_apps):
        if str(folder) not in sys.path:
            sys.path.append(str(folder))


# ruff: noqa: PLC0415 - vn.py is importable only inside a worker, after add_vnpy_paths

# -- inside a vn.py worker process ------------------------------------------------------------------------


def add_vnpy_paths(env: BaselineEnv) -> None:
    stock = [env.site_vnpy_stock(sdk) for sdk in VNPY_STOCK]
    for folder in (*stock, env.site_vnpy_mini, env.site_vnpy_ctp, env.site_vnpy):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


def load_extension(env: BaselineEnv, name: str) -> types.ModuleType:
    """vnpy_ctp's `vnctpmd` / `vnctptd` or vnpy_mini's `vnminimd` / `vnminitd`, loaded by file path (importing
    the package pulls in its gateway)."""
    folder = env.mini_api_dir if name.startswith("vnmini") else env.api_dir
    path = next(folder.glob(f"{name}.*.so"))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_vnpy_ctp_gateway(
    env: BaselineEnv, flow_dir: Path, module: str = "vnpy_ctp.gateway.ctp_gateway"
) -> Any:
    """vnpy_ctp's own `ctp_gateway` module (or vnpy_mini's `vnpy_mini.gateway.mini_gateway`), unmodified.

    It imports a few names from `vnpy.trader.utility`, whose module imports numpy and TA-Lib (not needed for
    market data); a stand-in module provides just those (`get_folder_path` returns `flow_dir`; vnpy_xtp and
    vnpy_tora also use `round_to`). Also vnpy_xtp's `vnpy_xtp.gateway.xtp_gateway`.
    """
    add_vnpy_paths(env)
    from decimal import ROUND_HALF_UP, Decimal
    from zoneinfo import ZoneInfo

    utility = types.ModuleType("vnpy.trader.utility")

    def get_folder_path(folder_name: str) -> Path:
        folder = flow_dir / folder_name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def round_to(value: float, target: float) -> float:  # vnpy_xtp / vnpy_tora round prices to the tick
        step = Decimal(str(target))
        return float((Decimal(str(value)) / step).to_integral_value(ROUND_HALF_UP) * step)

    utility.get_folder_path = get_folder_path  # type: ignore[attr-defined]
    utility.ZoneInfo = ZoneInfo  # type: ignore[attr-defined]
    utility.round_to = round_to  # type: ignore[attr-defined]
    sys.modules["vnpy.trader.utility"] = utility
    import importlib

    return importlib.import_module(module)


def add_shfe_contract(gateway_module: Any, symbol: str) -> Any:
    """What vn.py's trader side stores after querying instruments: its gateway drops ticks of symbols it does
    not know, and only the market-data side is connected in the benchmarks."""
    from vnpy.trader.constant import Exchange, Product  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader.object import ContractData  # type: ignore[import-not-found, unused-ignore]

    contract = ContractData(
        symbol=symbol,
        exchange=Exchange.SHFE,
        name=symbol,
        product=Product.FUTURES,
        size=10,
        pricetick=1,
        gateway_name="CTP",
    )
    gateway_module.symbol_contract_map[symbol] = contract
    return contract  # for a caller that also wants it in vn.py's OMS


def mapped_libraries() -> list[str]:
    """Shared objects mapped into this process (proves which CTP library was loaded)."""
    paths: set[str] = set()
    with open("/proc/self/maps", encoding="utf-8") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and parts[5].endswith(".so"):
                paths.add(parts[5])
    return sorted(paths)


if __name__ == "__main__":
    ensure_env()
