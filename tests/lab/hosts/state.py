"""Everything a simulated host remembers: registry facts, certificate stores, services, event log, Exchange and UM.

The initial state is that of a freshly installed server of the spec's versions (host-facts.md); the operation models
change it the way the real scripts' documented effects would.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from .certs import StoredCertificate, describe_certificate, in_dates, is_self_signed, signed_by
from .runtime import boot, settle
from .seed import exchange_self_signed, public_roots
from .specs import HostSpec

__all__ = [
    "STORE_NAMES",
    "CallLedger",
    "CertificateStore",
    "EventRecord",
    "FileSystem",
    "HostState",
    "Service",
    "UmBinding",
    "UmSettings",
    "exchange_services_text",
]

STORE_NAMES = ("Root", "CA", "My", "REQUEST")

# Exchange's AllowedServices flags in value order; Get-ExchangeCertificate prints them as "IMAP, POP, IIS, SMTP"
# (host-facts.md "Certificate cmdlets by Exchange version": None,IMAP,POP,UM,IIS,SMTP, then Federation, UMCallRouter).
_SERVICE_FLAGS = ("IMAP", "POP", "UM", "IIS", "SMTP", "Federation", "UMCallRouter")
# The setup certificate's services (brief: "bound to IIS/SMTP..."; IMAP and POP as Get-ExchangeCertificate shows
# them on fresh 2007/2010/2013 servers): an assumption, kept in this one place.
_SETUP_SERVICES = frozenset({"IMAP", "POP", "IIS", "SMTP"})


def exchange_services_text(services: frozenset[str] | set[str]) -> str:
    """The ``Services`` column of Get-ExchangeCertificate (a flags enum: "None" when empty)."""
    names = [flag for flag in _SERVICE_FLAGS if flag in services]
    return ", ".join(names) if names else "None"


class CertificateStore:
    """One ``LocalMachine`` store: entries keyed by thumbprint, in the order they were added."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, StoredCertificate] = {}

    def __contains__(self, thumbprint: str) -> bool:
        return thumbprint.upper() in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[StoredCertificate]:
        return list(self._entries.values())

    def get(self, thumbprint: str) -> StoredCertificate | None:
        return self._entries.get(thumbprint.upper())

    def add(self, entry: StoredCertificate) -> bool:
        """``X509Store.Add``: adding a certificate that is already there changes nothing."""
        if entry.thumbprint in self._entries:
            return False
        self._entries[entry.thumbprint] = entry
        return True

    def remove(self, thumbprint: str) -> bool:
        return self._entries.pop(thumbprint.upper(), None) is not None

    def describe(self) -> list[dict[str, object]]:
        return [describe_certificate(entry) for entry in self._entries.values()]


class FileSystem:
    """The host's files as .NET's System.IO sees them: Windows paths, compared case-insensitively (NTFS preserves the
    case of a name but does not distinguish by it). A directory exists once made (with its parents); writing a file
    does not make its directory, as on Windows."""

    def __init__(self, directories: tuple[str, ...] = ()) -> None:
        self._files: dict[str, tuple[str, bytes]] = {}
        self._directories: dict[str, str] = {}
        for directory in directories:
            self.make_directory(directory)

    @staticmethod
    def _key(path: str) -> str:
        return path.rstrip("\\").lower()

    def make_directory(self, path: str) -> None:
        parts = path.rstrip("\\").split("\\")
        for end in range(1, len(parts) + 1):
            partial = "\\".join(parts[:end])
            self._directories.setdefault(self._key(partial), partial + ("\\" if end == 1 else ""))

    def is_directory(self, path: str) -> bool:
        return self._key(path) in self._directories

    def is_file(self, path: str) -> bool:
        return self._key(path) in self._files

    def read(self, path: str) -> bytes | None:
        entry = self._files.get(self._key(path))
        return None if entry is None else entry[1]

    def write(self, path: str, data: bytes) -> None:
        existing = self._files.get(self._key(path))
        self._files[self._key(path)] = (existing[0] if existing else path, bytes(data))

    def delete(self, path: str) -> bool:
        return self._files.pop(self._key(path), None) is not None

    def files(self) -> list[str]:
        return [name for name, _data in self._files.values()]

    def directories(self) -> list[str]:
        """Every directory, as it was named when created (drive roots keep their backslash: ``C:\\``)."""
        return list(self._directories.values())

    def remove_directory(self, path: str) -> bool:
        """Remove a directory and everything below it (the file system provider's Remove-Item -Recurse)."""
        key = self._key(path)
        if key not in self._directories:
            return False
        below = key + "\\"
        for name in [name for name in self._directories if name == key or name.startswith(below)]:
            del self._directories[name]
        for name in [name for name in self._files if name.startswith(below)]:
            del self._files[name]
        return True

    def describe(self) -> dict[str, object]:
        """For ``dump``: directories, and each file's size (contents may be keys or requests: never shown)."""
        return {
            "directories": sorted(self._directories.values(), key=str.lower),
            "files": {name: len(data) for name, data in self._files.values()},
        }


@dataclass
class Service:
    """One Windows service. ``status`` is a ServiceControllerStatus name; a pending start or stop completes at the
    simulated time ``ready_at`` (hosts/runtime.py; None while a start hangs). The lab settings (control API
    ``POST /hosts/<h>/services/<name>``): ``start_seconds`` / ``stop_seconds`` (None: half the host's
    ``service_restart_seconds`` each), ``start_failures`` (fault injection: the next N starts fail as a start the
    SCM gives up on, one used per failed start), ``start_hangs`` (the service stays StartPending)."""

    name: str
    display_name: str
    status: str = "Running"
    start_mode: str = "Auto"
    start_seconds: float | None = None
    stop_seconds: float | None = None
    start_failures: int = 0
    start_hangs: bool = False
    ready_at: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "status": self.status,
            "start_mode": self.start_mode,
            "start_seconds": self.start_seconds,
            "stop_seconds": self.stop_seconds,
            "start_failures": self.start_failures,
            "start_hangs": self.start_hangs,
        }


@dataclass
class EventRecord:
    index: int
    event_id: int
    source: str
    entry_type: str
    message: str
    time_generated: str

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "event_id": self.event_id,
            "source": self.source,
            "entry_type": self.entry_type,
            "message": self.message,
            "time_generated": self.time_generated,
        }


@dataclass
class UmBinding:
    """UM (or UM Call Router) settings: startup mode (None where the version has none) and bound certificate."""

    startup_mode: str | None
    certificate_thumbprint: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"startup_mode": self.startup_mode, "certificate_thumbprint": self.certificate_thumbprint}


# The lab's own text of event 1112 (the real wording is not known: host-facts.md "still open"); {thumbprint},
# {subject}, {issuer}, {not_before}, {not_after} are filled in.
DEFAULT_1112_TEXT = (
    "The Unified Messaging server will use the certificate with thumbprint {thumbprint} (subject {subject}, issuer "
    "{issuer}, valid from {not_before} to {not_after}) for secured SIP and RTP."
)
# The 2010 text for Enable-ExchangeCertificate -Services UM in TCP mode is not known (host-facts.md "still open"):
# the lab's own wording, after the exception 2013 throws (CannotAssignCertificateToUMException).
DEFAULT_TCP_REFUSAL_2010 = (
    "The certificate with thumbprint {thumbprint} can't be assigned to the Unified Messaging service because the "
    "service's UMStartupMode is TCP. Set UMStartupMode to TLS or Dual first."
)
TIE_BREAKS = ("newest_not_before", "oldest_not_before", "latest_not_after")


@dataclass
class UmSettings:
    """UM behaviours no primary source confirms (docs/lab.md "UM runtime"), each with the pessimistic default.

    ``secured``: whether 2007 SP1's UM starts secured (its dial plan's VoIPSecurity; default secured, the Lync
    setup). ``tie_break``: which of several qualifying 2007 certificates UM takes (host-facts.md: "newest NotBefore
    is a reasonable default"). ``event_1112_text``: the text of event 1112. ``tcp_refusal_text_2010``: 2010's error
    for binding UM in TCP mode. ``enable_honoured_2007``: whether 2007 SP1's UM takes the certificate enabled with
    ``Enable-ExchangeCertificate -Services UM`` (default: no, it keeps choosing for itself)."""

    secured: bool = True
    tie_break: str = "newest_not_before"
    event_1112_text: str = DEFAULT_1112_TEXT
    tcp_refusal_text_2010: str = DEFAULT_TCP_REFUSAL_2010
    enable_honoured_2007: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "secured": self.secured,
            "tie_break": self.tie_break,
            "event_1112_text": self.event_1112_text,
            "tcp_refusal_text_2010": self.tcp_refusal_text_2010,
            "enable_honoured_2007": self.enable_honoured_2007,
        }


@dataclass
class CallLedger:
    """UM's calls: each active call's end (simulated time), and how many ended, were dropped or were refused."""

    active: list[float] = field(default_factory=list)
    ended: int = 0
    dropped: int = 0
    refused: int = 0

    def end_until(self, moment: float) -> None:
        """Calls whose time is up by ``moment`` end by themselves."""
        still = [end for end in self.active if end > moment]
        self.ended += len(self.active) - len(still)
        self.active = still

    def drop_all(self) -> int:
        dropped, self.active = len(self.active), []
        self.dropped += dropped
        return dropped

    def to_dict(self) -> dict[str, object]:
        return {"active": len(self.active), "ended": self.ended, "dropped_calls": self.dropped, "refused": self.refused}


def _find_store(stores: dict[str, CertificateStore], name: str, create: bool) -> CertificateStore | None:
    for key, store in stores.items():
        if key.lower() == name.lower():
            return store
    if not create:
        return None
    stores[name] = CertificateStore(name)
    return stores[name]


def _registry_for(spec: HostSpec) -> dict[str, dict[str, object]]:
    """Registry values that scripts read to detect Windows, PowerShell and Exchange (host-facts.md)."""
    major, minor, build = spec.os_version.split(".")
    registry: dict[str, dict[str, object]] = {
        r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion": {
            "ProductName": spec.os_caption.removeprefix("Microsoft "),
            "CurrentVersion": f"{major}.{minor}",
            "CurrentBuildNumber": build,
        },
        # PowerShell 1.0 and 2.0 register under engine key 1, 3.0 and later under 3 (key 1 then holds 2.0).
        r"HKLM\SOFTWARE\Microsoft\PowerShell\1\PowerShellEngine": {
            "PowerShellVersion": "1.0" if spec.powershell_version == "1.0" else "2.0"
        },
    }
    if spec.powershell_version not in ("1.0", "2.0"):
        registry[r"HKLM\SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine"] = {
            "PowerShellVersion": spec.powershell_version
        }
    if spec.exchange_version is None or spec.exchange_build is None:
        return registry
    product_major, product_minor, build_major, build_minor = (int(part) for part in spec.exchange_build.split("."))
    setup = {
        "MsiProductMajor": product_major,
        "MsiProductMinor": product_minor,
        "MsiBuildMajor": build_major,
        "MsiBuildMinor": build_minor,
    }
    if spec.exchange_version == "2007sp1":
        # host-facts.md: role keys under Exchange\v8.0\<Role> with UnpackedVersion/ConfiguredVersion; the Setup key is
        # Exchange\Setup in some scripts and Exchange\v8.0\Setup in others: both exist here, MsiProductMajor = 8.
        install = {"MsiInstallPath": "C:\\Program Files\\Microsoft\\Exchange Server\\", **setup}
        registry[r"HKLM\SOFTWARE\Microsoft\Exchange\Setup"] = install
        registry[r"HKLM\SOFTWARE\Microsoft\Exchange\v8.0\Setup"] = dict(install)
        if spec.um_role:
            registry[r"HKLM\SOFTWARE\Microsoft\Exchange\v8.0\UnifiedMessagingRole"] = {
                "UnpackedVersion": spec.exchange_build,
                "ConfiguredVersion": spec.exchange_build,
            }
        return registry
    # host-facts.md: 2010 under ExchangeServer\v14, 2013 under ExchangeServer\v15, role keys with ConfiguredVersion.
    key = "v14" if spec.exchange_version == "2010" else "v15"
    registry[rf"HKLM\SOFTWARE\Microsoft\ExchangeServer\{key}\Setup"] = {
        "MsiInstallPath": f"C:\\Program Files\\Microsoft\\Exchange Server\\{key.upper()}\\",
        **setup,
    }
    if spec.um_role:
        registry[rf"HKLM\SOFTWARE\Microsoft\ExchangeServer\{key}\UnifiedMessagingRole"] = {
            "ConfiguredVersion": spec.exchange_build
        }
    return registry


def _services_for(spec: HostSpec) -> dict[str, Service]:
    """host-facts.md "UM": MSExchangeUM on every UM server, MSExchangeUMCR (Call Router) from 2013."""
    if spec.exchange_version is None or not spec.um_role:
        return {}
    services = {"MSExchangeUM": Service("MSExchangeUM", "Microsoft Exchange Unified Messaging")}
    if spec.exchange_version == "2013":
        services["MSExchangeUMCR"] = Service("MSExchangeUMCR", "Microsoft Exchange Unified Messaging Call Router")
    return services


@dataclass
class HostState:
    """The mutable state of one host. Callers hold the host's lock."""

    spec: HostSpec
    registry: dict[str, dict[str, object]]
    stores: dict[str, CertificateStore]
    services: dict[str, Service]
    exchange_services: dict[str, set[str]] = field(default_factory=dict)
    um: UmBinding | None = None
    call_router: UmBinding | None = None
    events: list[EventRecord] = field(default_factory=list)
    # CurrentUser stores, per user name (lower case): HKCU\Software\Microsoft\SystemCertificates of that profile.
    user_stores: dict[str, dict[str, CertificateStore]] = field(default_factory=dict)
    files: FileSystem = field(default_factory=FileSystem)
    # Lab settings with no documented value for these hosts (docs/lab.md ".NET types"): the time zone (minutes east of
    # UTC, no daylight saving), the current culture, and the system ANSI code page (Encoding.Default).
    utc_offset_minutes: int = 0
    culture: str = "en-US"
    ansi_code_page: int = 1252
    # Lab setting (docs/lab.md "Programs"): whether certreq -new finds a [RequestAttributes] CertificateTemplate in the
    # local template cache when the logon cannot reach the directory (unconfirmed; pessimistic default: it does not).
    certreq_template_cache: bool = False
    # The UM runtime (hosts/runtime.py): the simulated seconds this host has lived through (every charge of the
    # latency model), what each running UM service took at its last start (team contract: service name ->
    # thumbprint, no entry while stopped or in TCP mode), the hook told after each change of it, UMServer.Status
    # (2007/2010: Enabled, Disabled, NoNewCalls), 2013's server component states (component -> requester -> state),
    # the calls, and UM's lab settings.
    clock: float = 0.0
    presented: dict[str, str] = field(default_factory=dict)
    on_presented: Callable[[], None] | None = None
    um_status: str = "Enabled"
    components: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: CallLedger = field(default_factory=CallLedger)
    um_settings: UmSettings = field(default_factory=UmSettings)

    @classmethod
    def fresh(cls, spec: HostSpec) -> HostState:
        stores = {name: CertificateStore(name) for name in STORE_NAMES}
        for root in public_roots():
            stores["Root"].add(StoredCertificate(root))
        state = cls(spec=spec, registry=_registry_for(spec), stores=stores, services=_services_for(spec))
        state.files.make_directory("C:\\Windows\\Temp")
        # The domain administrator has logged on before (setup, administration), so that profile exists already; a
        # profile of another account is made at its first logon, as Windows does (dotnet/system.py process_state).
        legacy = spec.os_version.startswith("5.")
        profile = "C:\\Documents and Settings\\Administrator" if legacy else "C:\\Users\\Administrator"
        state.files.make_directory(profile + ("\\Local Settings\\Temp" if legacy else "\\AppData\\Local\\Temp"))
        if spec.exchange_version is None:
            return state
        setup_certificate = exchange_self_signed(spec)
        stores["My"].add(setup_certificate)
        # Assumption: setup also trusts its own certificate (Get-ExchangeCertificate shows RootCAType Registry and
        # Status Valid for it on a fresh server).
        stores["Root"].add(StoredCertificate(setup_certificate.certificate))
        state.exchange_services[setup_certificate.thumbprint] = set(_SETUP_SERVICES)
        if spec.um_role:
            # host-facts.md "UM": 2007 SP1 has no startup-mode setting; 2010 and 2013 default to TCP; 2013 adds the
            # Call Router with its own startup mode.
            state.um = UmBinding(None if spec.exchange_version == "2007sp1" else "TCP")
            if spec.exchange_version == "2013":
                state.call_router = UmBinding("TCP")
            # The services started with the machine: what they took then is presented (2007 SP1 secured: its choice;
            # 2010/2013 in TCP mode: nothing). The log starts empty, as after clearing it, so no 1112 of that start.
            boot(state)
        return state

    def advance(self, seconds: float) -> None:
        """The simulated clock moves on: pending service starts and stops complete, calls end (hosts/runtime.py)."""
        self.clock += seconds
        settle(self)

    def notify_presented(self) -> None:
        """Tell the registered hook (the TLS listeners) that ``presented`` changed."""
        if self.on_presented is not None:
            self.on_presented()

    def machine_store(self, name: str, *, create: bool = False) -> CertificateStore | None:
        """A ``LocalMachine`` store by name (system store names are case-insensitive); ``create`` makes a missing one,
        as CertOpenStore does without CERT_STORE_OPEN_EXISTING_FLAG."""
        return _find_store(self.stores, name, create)

    def user_store(self, user: str, name: str, *, create: bool = False) -> CertificateStore | None:
        """A ``CurrentUser`` store of ``user``: the user's own entries only (not the inherited machine ones)."""
        return _find_store(self.user_stores.setdefault(user.lower(), {}), name, create)

    def registry_value(self, path: str, name: str) -> object | None:
        for key, values in self.registry.items():
            if key.lower() == path.lower():
                for value_name, value in values.items():
                    if value_name.lower() == name.lower():
                        return value
        return None

    def write_event(self, *, event_id: int, source: str, entry_type: str, message: str) -> EventRecord:
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = EventRecord(len(self.events) + 1, event_id, source, entry_type, message, now)
        self.events.append(record)
        return record

    def chain_to_root(self, entry: StoredCertificate) -> list[StoredCertificate] | None:
        """The chain from ``entry`` through ``CA`` (and ``Root``) to a certificate in ``Root``, or None."""
        chain = [entry]
        pool = self.stores["CA"].entries() + self.stores["Root"].entries()
        while True:
            current = chain[-1].certificate
            if current.issuer == current.subject and is_self_signed(current):
                return chain if chain[-1].thumbprint in self.stores["Root"] else None
            issuer = next((candidate for candidate in pool if signed_by(current, candidate.certificate)), None)
            if issuer is None or issuer in chain:
                return None
            chain.append(issuer)

    def exchange_status(self, entry: StoredCertificate) -> str:
        """Get-ExchangeCertificate ``Status`` for a certificate in ``My`` (host-facts.md status values)."""
        if not in_dates(entry.certificate):
            return "DateInvalid"
        return "Valid" if self.chain_to_root(entry) is not None else "Untrusted"

    def describe_my(self) -> list[dict[str, object]]:
        """``My`` as exchange_info reports it: Exchange hosts add ``services`` and ``status`` (architecture.md)."""
        described = []
        for entry in self.stores["My"].entries():
            item = describe_certificate(entry)
            if self.spec.exchange_version is not None:
                item["services"] = exchange_services_text(self.exchange_services.get(entry.thumbprint, set()))
                item["status"] = self.exchange_status(entry)
            described.append(item)
        return described

    def to_dict(self) -> dict[str, object]:
        """The full state for ``dump`` (no private keys: only whether a certificate has one)."""
        return {
            "registry": {key: dict(values) for key, values in self.registry.items()},
            "stores": {name: store.describe() for name, store in self.stores.items()},
            "user_stores": {
                user: {name: store.describe() for name, store in stores.items()}
                for user, stores in self.user_stores.items()
                if stores
            },
            "files": self.files.describe(),
            "settings": {
                "utc_offset_minutes": self.utc_offset_minutes,
                "culture": self.culture,
                "ansi_code_page": self.ansi_code_page,
                "certreq_template_cache": self.certreq_template_cache,
                "um": self.um_settings.to_dict(),
            },
            "exchange_certificates": {
                thumbprint: exchange_services_text(services) for thumbprint, services in self.exchange_services.items()
            },
            "um": None if self.um is None else self.um.to_dict(),
            "call_router": None if self.call_router is None else self.call_router.to_dict(),
            "services": [service.to_dict() for service in self.services.values()],
            "presented": dict(self.presented),
            "um_status": self.um_status,
            "server_components": {name: dict(states) for name, states in self.components.items()},
            "calls": self.calls.to_dict(),
            "event_log": {"Application": [event.to_dict() for event in self.events]},
        }
