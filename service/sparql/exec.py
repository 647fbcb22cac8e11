"""SPARQL execution on an Oxigraph store, and the worker process that runs it.

Free of the web framework: a worker process (started by service/sparql/workers.py with `python -c` and
`worker_main`) imports this module, formats.py and pyoxigraph, nothing else of clinkg, so it costs about
30 MB instead of a copy of the whole app. Refusals are QueryFailedError(status, detail).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import re
import resource
import select
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from clinkg.service.sparql.formats import PREFIXED_FORMATS, TABLES, NotAcceptableError, negotiate

if TYPE_CHECKING:
    from typing_extensions import Buffer

# A keyword and the token after it: where Oxigraph reports a failure when the keyword is blunted.
_SERVICE = re.compile(r"service\s*[^\s{]*", re.IGNORECASE)
_FROM = re.compile(r"from\s*[^\s{]*", re.IGNORECASE)
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")
# One item of a query's prologue (the grammar allows only these before the query form): a PREFIX
# declaration captures its name and IRI.
_PROLOGUE_ITEM = re.compile(r"\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s*([^\s:<]*):\s*<([^>]*)>", re.IGNORECASE)

# One token of SPARQL, enough to find brackets and operators outside comments, strings, IRIs and names;
# possessive quantifiers keep the scan linear whatever the text.
_TOKEN = re.compile(
    r"""
    (?P<skip>
        \#[^\n\r]*+
      | \"{3}(?:[^"\\]|\\.|"(?!""))*+(?:\"{3})?
      | '{3}(?:[^'\\]|\\.|'(?!''))*+(?:'{3})?
      | "(?:[^"\\\n\r]|\\.)*+"?
      | '(?:[^'\\\n\r]|\\.)*+'?
      | <(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>
      | [?$]\w++
      | \w*+:[\w.\-:%\\]*+
      | \w++
    )
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<op>\|\||&&|[!+\-*/|^])
    """,
    re.VERBOSE | re.DOTALL,
)

# The worker protocol: a frame header (head length, body length), a JSON head, then the raw body.
# JSON, not pickle: the server never unpickles what a process running untrusted queries sends it.
_FRAME = struct.Struct("!IQ")
TSV_SLACK = 4  # the TSV pass that counts solutions may take this many times the answer's byte limit
QUERY_STACK_BYTES = 64 * 1024 * 1024  # Oxigraph recurses on the query's shape; 8 MB is not enough
_WATCH_MS = 1000
_PR_SET_PDEATHSIG = 1


class QueryFailedError(Exception):
    """The query is refused or failed; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class ProtocolError(Exception):
    """A frame larger than the reader accepts: the other side is not speaking the worker protocol."""


def check_shape(text: str, max_nesting: int, max_operators: int) -> None:
    """Refuse (400) a query nested deeper than `max_nesting` brackets, braces and parentheses, or with
    more than `max_operators` operators, before any parser sees it: Oxigraph's parser and evaluator
    recurse on both, and a few thousand levels overflow a worker's stack (a 6 KB query crashed it)."""
    depth = deepest = operators = 0
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > max_nesting:
                    raise QueryFailedError(
                        400,
                        f"the query nests brackets, braces or parentheses more than {max_nesting} deep "
                        "(CLINKG_SPARQL_MAX_NESTING)",
                    )
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "op":
            operators += 1
            if operators > max_operators:
                raise QueryFailedError(
                    400,
                    f"the query has more than {max_operators} operators (! && || + - * / | ^; "
                    "CLINKG_SPARQL_MAX_OPERATORS); use VALUES or IN for long lists of alternatives",
                )


def query_prefixes(text: str) -> dict[str, str]:
    """The prefixes a query's prologue declares (the last declaration of a name wins, as in SPARQL),
    those with an absolute IRI only: a serializer cannot declare a relative one."""
    found: dict[str, str] = {}
    position = 0
    while (item := _PROLOGUE_ITEM.match(text, position)) is not None and item.end() > position:
        name, iri = item.group(1), item.group(2)
        if name is not None:
            try:
                ox.NamedNode(iri)
            except ValueError:
                found.pop(name, None)
            else:
                found[name] = iri
        position = item.end()
    return found


def merge_prefixes(declared: Mapping[str, str], standard: Mapping[str, str]) -> dict[str, str]:
    """The query's own prefixes, then each standard one whose name and namespace the query leaves free
    (a query that calls clinkg's namespace `id:` gets `id:`, not both)."""
    taken = set(declared.values())
    merged = {name: iri for name, iri in standard.items() if name not in declared and iri not in taken}
    return {**declared, **merged}


def execute(
    store: ox.Store,
    text: str,
    dataset: dict[str, Any] | None,
    federation: bool,
    accept: str | None,
    formats: list[str],
    max_rows: int | None = None,
    max_bytes: int | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> tuple[str, bytes]:
    """Run one read-only query; returns the negotiated media type and the serialized result.

    Past `max_rows` solutions (triples for CONSTRUCT and DESCRIBE) or `max_bytes` of output the
    serialization stops and the query is refused with 422: never a silently truncated answer. A graph
    written in Turtle or TriG declares the query's prefixes and `prefixes` (the standard ones).
    """
    if not federation and _SERVICE.search(text):
        failure = _blunted_failure(text, ("service",))
        if failure is not None:
            offset, error = failure
            if _at(_SERVICE, text, offset):
                raise QueryFailedError(403, "SERVICE (federated query) is disabled on this endpoint")
            raise QueryFailedError(400, f"SPARQL syntax error: {error}")
    if dataset is None:
        # pyoxigraph's union option overrides FROM; as the Oxigraph server does, use it only without FROM.
        failure = _blunted_failure(text, ("service", "from")) if _FROM.search(text) else None
        uses_from = failure is not None and _at(_FROM, text, failure[0])
        dataset = {} if uses_from else {"use_default_graph_as_union": True}
    try:
        result = store.query(text, **dataset)
    except SyntaxError as exc:
        raise QueryFailedError(400, f"SPARQL syntax error: {exc}") from exc
    table = TABLES[type(result)]
    try:
        media = negotiate(table, accept, formats)
        form = table.media_types[media]
        declared = merge_prefixes(query_prefixes(text), prefixes or {}) if form in PREFIXED_FORMATS else {}
        return media, _serialize(result, form, max_rows, max_bytes, declared)
    except NotAcceptableError as exc:
        raise QueryFailedError(406, str(exc)) from exc
    except _TooLargeError as exc:
        raise QueryFailedError(422, exc.detail(media)) from None
    except OSError as exc:
        raise QueryFailedError(500, f"the query failed: {exc}") from exc
    finally:
        # pyoxigraph results must be dropped on the thread that made them, not where the error is handled.
        del result


class _TooLargeError(Exception):
    def __init__(self, rows: int | None, size: int | None) -> None:
        self.rows, self.size = rows, size

    def detail(self, media: str) -> str:
        if self.rows is not None:
            what = f"more than {self.rows} rows (CLINKG_SPARQL_MAX_ROWS)"
        else:
            what = f"more than {self.size} bytes as {media} (CLINKG_SPARQL_MAX_RESULT_BYTES)"
        return f"the result has {what}, the most this endpoint returns; add LIMIT or narrow the query"


class _Sink(io.BytesIO):
    """A binary output for pyoxigraph's writers that stops the serialization past `max_bytes`, or past
    `max_lines` newlines (TSV escapes newlines in values, so its lines are its rows plus the header)."""

    def __init__(self, max_bytes: int | None, max_lines: int | None = None) -> None:
        super().__init__()
        self.size = self.lines = 0
        self.max_bytes, self.max_lines = max_bytes, max_lines

    def write(self, data: Buffer) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise _TooLargeError(None, self.max_bytes)
        if self.max_lines is not None:
            self.lines += chunk.count(b"\n")
            if self.lines > self.max_lines:
                raise _TooLargeError(self.max_lines - 1, None)
        return super().write(chunk)


def _serialize(
    result: ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean,
    form: ox.QueryResultsFormat | ox.RdfFormat,
    max_rows: int | None,
    max_bytes: int | None,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    out = _Sink(max_bytes)
    if isinstance(result, ox.QueryTriples) and isinstance(form, ox.RdfFormat):
        triples = _counted(result, max_rows)
        graph = in_default_graph(triples) if form.supports_datasets else triples
        ox.serialize(graph, out, format=form, prefixes=dict(prefixes) if prefixes else None)
        return out.getvalue()
    if not isinstance(form, ox.QueryResultsFormat):
        raise TypeError(f"{form} cannot write {type(result).__name__}")
    if isinstance(result, ox.QueryBoolean):
        return result.serialize(format=form) or b""
    if isinstance(result, ox.QueryTriples):
        raise TypeError(f"{form} cannot write triples")
    # Solutions are counted as they stream out in TSV, which stops the query past the limit; pyoxigraph
    # reads TSV back without loss (terms, languages, datatypes, blank node labels, quoted triples). CSV
    # can be several times smaller than TSV, so the TSV pass has room; the answer itself has none.
    slack = None if max_bytes is None else TSV_SLACK * max_bytes
    tsv = _Sink(slack, None if max_rows is None else max_rows + 1)
    try:
        result.serialize(tsv, format=ox.QueryResultsFormat.TSV)
    except _TooLargeError as exc:
        raise exc if exc.rows is not None else _TooLargeError(None, max_bytes) from None
    if form == ox.QueryResultsFormat.TSV:
        if max_bytes is not None and tsv.size > max_bytes:
            raise _TooLargeError(None, max_bytes)
        return tsv.getvalue()
    solutions = ox.parse_query_results(tsv.getvalue(), format=ox.QueryResultsFormat.TSV)
    tsv.close()
    solutions.serialize(out, format=form)
    return out.getvalue()


def in_default_graph(triples: Iterable[ox.Triple]) -> Iterator[ox.Quad]:
    """A graph as a dataset: its triples in the default graph (for TriG and N-Quads)."""
    default = ox.DefaultGraph()
    for triple in triples:
        yield ox.Quad(triple.subject, triple.predicate, triple.object, default)


def _counted(triples: ox.QueryTriples, max_rows: int | None) -> Iterator[ox.Triple]:
    for count, triple in enumerate(triples, 1):
        if max_rows is not None and count > max_rows:
            raise _TooLargeError(max_rows, None)
        yield triple


def _blunted_failure(text: str, words: tuple[str, ...]) -> tuple[int, SyntaxError] | None:
    # Oxigraph's own parser decides, on the text with each of `words` (any case) ending in x instead.
    # If that still parses, every occurrence sat in a literal, IRI, name or comment, none is a keyword;
    # otherwise the parse stops at the first blunted keyword or at an unrelated syntax error (its offset).
    # The blunted text cannot name SERVICE, so running it over an empty in-memory store never reaches out.
    blunt = re.compile("|".join(words), re.IGNORECASE)
    try:
        ox.Store().query(
            blunt.sub(lambda m: m.group()[:-1] + ("X" if m.group()[-1].isupper() else "x"), text)
        )
    except SyntaxError as exc:
        found = _ERROR_AT.search(str(exc))
        if found is None:
            return -1, exc
        line, column = int(found.group(1)), int(found.group(2))
        return sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + column - 1, exc
    except OSError:
        return None
    return None


def _at(keyword: re.Pattern[str], text: str, offset: int) -> bool:
    # An unplaceable failure (-1) counts as the keyword: refusing is the safe reading.
    return offset < 0 or any(m.start() <= offset <= m.end() for m in keyword.finditer(text))


def send_message(
    sock: socket.socket, head: Mapping[str, Any], body: bytes = b"", deadline: float | None = None
) -> None:
    """Send one frame: `head` as JSON, then `body` as is (a result is never copied into the frame)."""
    data = json.dumps(head).encode()
    sock.settimeout(None if deadline is None else max(deadline - time.monotonic(), 0.001))
    sock.sendall(_FRAME.pack(len(data), len(body)) + data)
    if body:
        sock.sendall(body)


def receive_message(
    sock: socket.socket, max_head: int, max_body: int, deadline: float | None = None
) -> tuple[dict[str, Any], bytes]:
    """Read one frame. EOFError when the other side is gone, TimeoutError past `deadline` (monotonic),
    ProtocolError when the frame is larger than allowed (nothing past its header is read)."""
    head_size, body_size = _FRAME.unpack(_read_exactly(sock, _FRAME.size, deadline))
    if head_size > max_head or body_size > max_body:
        raise ProtocolError(f"a frame of {head_size} + {body_size} bytes; at most {max_head} + {max_body}")
    head = json.loads(_read_exactly(sock, head_size, deadline))
    if not isinstance(head, dict):
        raise ProtocolError("a frame whose head is not an object")
    return head, _read_exactly(sock, body_size, deadline) if body_size else b""


def _read_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
        count = sock.recv_into(view[got:])
        if count == 0:
            raise EOFError
        got += count
    view.release()
    return bytes(buffer)


def worker_main() -> None:
    """A SPARQL worker process. Arguments: socket fd, parent pid, store path, memory cap in bytes (0 for
    none). It answers a ping (a query on the store) once open, then one query job at a time."""
    fd, parent, store_path, memory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    _die_with(parent)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write a core of gigabytes
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    sock = socket.socket(fileno=fd)
    try:
        # Opened before the query thread's stack is reserved: RocksDB's open briefly takes ~90 MB of
        # address space more than it keeps, and both count against RLIMIT_AS.
        store = ox.Store.read_only(store_path)
        bool(store.query("ASK { ?s ?p ?o }"))
    except (OSError, RuntimeError, MemoryError) as exc:
        send_message(sock, {"ready": False, "detail": f"the store at {store_path} cannot be opened: {exc}"})
        return
    threading.stack_size(QUERY_STACK_BYTES)
    serving = threading.Thread(target=_serve, args=(sock, store, memory), daemon=True)
    serving.start()
    _watch(sock, parent, serving)


def _die_with(parent: int) -> None:
    # The kernel kills this process when the server dies, however it dies (kill -9 included); the
    # parent check covers a server that died before the request took effect.
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _watch(sock: socket.socket, parent: int, serving: threading.Thread) -> None:
    # The second line of defence where PDEATHSIG is missing: the server's end of the pipe closing, or a
    # new parent. pyoxigraph releases the GIL while it evaluates, so this runs during a query.
    poller = select.poll()
    poller.register(sock.fileno(), getattr(select, "POLLRDHUP", 0))
    while serving.is_alive():
        if poller.poll(_WATCH_MS) or os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)


def _serve(sock: socket.socket, store: ox.Store, memory: int) -> None:
    # The ping's answer comes from this thread: a worker that cannot start its query thread never says
    # it is ready.
    send_message(sock, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            job, _ = receive_message(sock, max_head=1 << 30, max_body=0)
        except (EOFError, OSError):
            return
        head, body = _run(store, job, memory)
        send_message(sock, head, body)
        if head.get("retire"):
            return
        if len(body) > 1 << 20:
            _trim()


def _run(store: ox.Store, job: dict[str, Any], memory: int) -> tuple[dict[str, Any], bytes]:
    # The query's own budget, enforced here too: SIGALRM's default action ends the process, which the
    # server reports as the timeout, even when the server itself is gone.
    signal.setitimer(signal.ITIMER_REAL, max(float(job["timeout_s"]), 0.001))  # 0 would disarm it
    try:
        dataset = job["dataset"]
        if dataset is not None:
            dataset = {
                "default_graph": [ox.NamedNode(iri) for iri in dataset["default_graph"]],
                "named_graphs": [ox.NamedNode(iri) for iri in dataset["named_graphs"]],
            }
        check_shape(job["query"], job["max_nesting"], job["max_operators"])
        media, body = execute(
            store,
            job["query"],
            dataset,
            job["federation"],
            job["accept"],
            job["formats"],
            job["max_rows"],
            job["max_bytes"],
            job.get("prefixes"),
        )
        return {"ok": True, "media": media}, body
    except QueryFailedError as failure:
        return {"ok": False, "status": failure.status, "detail": failure.detail}, b""
    except MemoryError:
        # What is left of the heap is suspect: answer, then leave for a fresh worker.
        return {"ok": False, "status": 503, "detail": memory_detail(memory), "retire": True}, b""
    except Exception as exc:  # anything else is the query's failure, not the worker's
        return {"ok": False, "status": 500, "detail": f"the query failed: {exc}"}, b""
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def memory_detail(memory: int) -> str:
    """What a query that ran out of a worker's memory is told."""
    if memory <= 0:
        return "the query ran out of memory and was stopped; narrow it"
    return (
        f"the query needed more than the {memory // 2**20} MB a SPARQL worker may use "
        "(CLINKG_SPARQL_WORKER_MEMORY_MB) and was stopped; narrow it (LIMIT does not bound what ORDER BY, "
        "GROUP BY or DISTINCT hold over a large join)"
    )


def _trim() -> None:
    # A large result leaves freed pages in glibc's heap; give them back so a worker at rest stays small.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
