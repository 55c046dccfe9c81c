"""Sources beyond uploads (issue 17): folders at fsspec URLs, a watched folder and websites, each synced so
that the index matches the source: what changed is read, what is gone deleted, nothing else touched."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import fsspec
import httpx
import pytest
import sqlalchemy

from api_client import key
from app.cli.ingest import sync_source
from ingest.listing import canonical, list_folder
from ingest.sourcestore import source_key
from ingest.sync import SourceBusy, sync
from ingest.syncruns import SyncRuns
from ingest.watch import watch
from ingest.web import UnsafeURL
from rag_process import rag_env, rag_serve

LEAVE = "# Leave\n\nEmployees get 27 days of paid annual leave, plus public holidays.\n"
BIKES = "# Bikes\n\nThe bike shed opens at 7:00 and closes at 20:00 on working days.\n"


def _names(rt, tenant: str = "default") -> set[str]:
    return {d.source for d in rt.registry.list(tenant)}


def test_a_folder_url_syncs_only_what_changed_and_deletes_what_is_gone(runtime, tmp_path: Path) -> None:
    folder = tmp_path / "share"
    (folder / "hr").mkdir(parents=True)
    (folder / "hr" / "leave.md").write_text(LEAVE)
    (folder / "bikes.md").write_text(BIKES)
    (folder / ".~lock.bikes.md#").write_text("lock")  # hidden: an editor's
    (folder / "bikes.md.bak").write_text(BIKES)  # not a format we read
    other = runtime.ingestor.ingest([_upload("notes.md", "# Notes\n\nUploaded, not synced.\n")])
    assert other.count("added") == 1
    uri = canonical(str(folder))
    assert uri.startswith("file:///")

    first = sync(runtime.ingestor, runtime.sources, uri, "default", list_folder(uri))
    assert (first.ingest.count("added"), first.skipped, first.deleted) == (2, 0, [])
    assert _names(runtime) == {"hr/leave.md", "bikes.md", "notes.md"}

    again = sync(runtime.ingestor, runtime.sources, uri, "default", list_folder(uri))
    assert (again.ingest.outcomes, again.skipped) == ([], 2)  # nothing read

    (folder / "hr" / "leave.md").write_text(LEAVE.replace("27", "30"))
    changed = sync(runtime.ingestor, runtime.sources, uri, "default", list_folder(uri))
    assert [(o.source, o.status) for o in changed.ingest.outcomes] == [("hr/leave.md", "updated")]
    hits = runtime.retriever.search("paid annual leave days", tenant="default").hits
    assert hits[0].source == "hr/leave.md" and "30 days" in hits[0].text

    (folder / "bikes.md").unlink()
    gone = sync(runtime.ingestor, runtime.sources, uri, "default", list_folder(uri))
    assert gone.deleted == ["bikes.md"] and _names(runtime) == {"hr/leave.md", "notes.md"}
    assert not [
        h for h in runtime.retriever.search("bike shed", tenant="default").hits if h.source == "bikes.md"
    ]
    assert set(runtime.sources.items("default", uri)) == {"hr/leave.md"}


def _upload(name: str, text: str):
    from ingest.pipeline import Source

    return Source.from_bytes(text.encode(), name, "default")


def test_a_file_that_fails_is_not_remembered_and_is_tried_again(runtime, tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    uri = canonical(str(folder))
    first = sync(runtime.ingestor, runtime.sources, uri, "default", list_folder(uri))
    assert [o.status for o in first.ingest.outcomes] == ["failed"]
    assert runtime.sources.items("default", uri) == {}
    second = sync(runtime.ingestor, runtime.sources, uri, "default", list_folder(uri))
    assert [o.status for o in second.ingest.outcomes] == ["failed"]  # read again, not skipped


def test_any_fsspec_url_is_a_folder(runtime) -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/kb/policies/leave.md", LEAVE.encode())
    fs.pipe("/kb/bikes.md", BIKES.encode())
    try:
        report = sync(runtime.ingestor, runtime.sources, "memory://kb", "default", list_folder("memory://kb"))
        assert report.ingest.count("added") == 2 and _names(runtime) == {"policies/leave.md", "bikes.md"}
        fs.rm("/kb/bikes.md")
        again = sync(runtime.ingestor, runtime.sources, "memory://kb", "default", list_folder("memory://kb"))
        assert again.deleted == ["bikes.md"]
    finally:
        fs.rm("/kb", recursive=True)


def test_sources_are_kept_apart_by_tenant_and_uri(runtime, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "leave.md").write_text(LEAVE)
    for tenant, folder in (("acme", a), ("globex", b)):
        uri = canonical(str(folder))
        sync(runtime.ingestor, runtime.sources, uri, tenant, list_folder(uri))
    (a / "leave.md").unlink()
    uri = canonical(str(a))
    assert sync(runtime.ingestor, runtime.sources, uri, "acme", list_folder(uri)).deleted == ["leave.md"]
    assert _names(runtime, "acme") == set() and _names(runtime, "globex") == {"leave.md"}
    assert source_key(canonical(str(a))) != source_key(canonical(str(b)))


def test_a_missing_folder_or_unknown_scheme_is_a_clear_error(tmp_path: Path) -> None:
    from ingest.listing import SourceUnreadable

    with pytest.raises(SourceUnreadable, match="no such folder"):
        list_folder(canonical(str(tmp_path / "nowhere")))
    with pytest.raises(SourceUnreadable, match="no filesystem for 'nosuch'"):
        list_folder("nosuch://bucket/x")


def _wait_for(check, what: str, timeout: float = 20.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def test_a_watched_folder_reflects_create_change_and_delete_within_seconds(runtime, tmp_path: Path) -> None:
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "leave.md").write_text(LEAVE)
    stop, reports = threading.Event(), []
    args = (runtime.ingestor, runtime.sources, folder, "default", stop, reports.append, 200)
    thread = threading.Thread(target=watch, args=args, daemon=True)
    thread.start()
    try:
        _wait_for(lambda: _names(runtime) == {"leave.md"}, "the first sync")
        (folder / "bikes.md").write_text(BIKES)
        _wait_for(lambda: "bikes.md" in _names(runtime), "a new file indexed")
        (folder / "leave.md").write_text(LEAVE.replace("27", "31"))
        _wait_for(
            lambda: any(
                "31 days" in h.text for h in runtime.retriever.search("annual leave", tenant="default").hits
            ),
            "a changed file re-indexed",
        )
        (folder / "bikes.md").unlink()
        _wait_for(lambda: _names(runtime) == {"leave.md"}, "a deleted file's document removed")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    statuses = [o.status for r in reports for o in r.ingest.outcomes]
    assert statuses.count("added") == 2 and statuses.count("updated") == 1 and "failed" not in statuses


# -- websites --------------------------------------------------------------------------------------------

PAGES = {
    "index.html": "<html><head><title>Intranet</title></head><body><h1>Intranet</h1>"
    "<p>Welcome to the Porter Robotics intranet. Read the <a href='canteen.html'>canteen</a> and "
    "<a href='parking.html'>parking</a> pages.</p></body></html>",
    "canteen.html": "<html><head><title>Canteen</title></head><body><h1>Canteen</h1><p>The canteen serves "
    "lunch from 11:30 to 14:00. The vegetarian dish of the day costs 6 euros and is cooked on site every "
    "morning by our two chefs.</p></body></html>",
    "parking.html": "<html><head><title>Parking</title></head><body><h1>Parking</h1><p>Staff park on "
    "level -2 of the garage. Visitors get one of the twelve spaces marked V near the lift, booked through "
    "reception the day before.</p></body></html>",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """The site's files; a path named in its ``redirects.json`` redirects (302) where that says."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        moves = Path(self.directory) / "redirects.json"
        target = json.loads(moves.read_text()).get(self.path) if moves.exists() else None
        if target is None:
            return super().do_GET()
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    root.mkdir()
    for name, html in PAGES.items():
        (root / name).write_text(html)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html", root
    server.shutdown()
    server.server_close()


def test_a_website_is_synced_and_a_page_gone_from_it_is_deleted(runtime, site) -> None:
    url, root = site
    runtime.settings.sources.allow_private = True  # an intranet on loopback: the operator allowed it
    runtime.settings.sources.crawl_delay_cap_s = 0
    first = sync_source(runtime, url, "default")
    assert first.ingest.count("added") == 3, first.to_dict()
    hits = runtime.retriever.search("How much is the vegetarian dish?", tenant="default", top_k=3).hits
    assert "6 euros" in hits[0].text and hits[0].source.endswith("canteen.md")
    again = sync_source(runtime, url, "default")
    assert again.ingest.count("added") == again.ingest.count("updated") == 0 and again.skipped == 3
    (root / "parking.html").unlink()
    (root / "index.html").write_text(PAGES["index.html"].replace("<a href='parking.html'>parking</a>", "no"))
    # A shallower crawl does not see the pages behind the start page: it takes none of them as gone.
    runtime.settings.sources.max_depth = 0
    del runtime.crawl_limits  # the cached limits, read again
    shallow = sync_source(runtime, url, "default")
    assert shallow.deleted == [] and len(_names(runtime)) == 3
    runtime.settings.sources.max_depth = 2
    del runtime.crawl_limits
    gone = sync_source(runtime, url, "default")
    assert len(gone.deleted) == 1 and "parking" in gone.deleted[0]
    assert len(_names(runtime)) == 2 and not any("parking" in s for s in _names(runtime))


def test_a_sync_that_could_not_see_the_site_deletes_nothing(runtime, site) -> None:
    """The start page too large, a page too large, the start page redirected to another site: the crawl
    saw less than the site, and a page it could not read is still there."""
    url, root = site
    runtime.settings.sources.allow_private = True  # an intranet on loopback: the operator allowed it
    runtime.settings.sources.crawl_delay_cap_s = 0
    assert sync_source(runtime, url, "default").ingest.count("added") == 3
    names = _names(runtime)
    runtime.settings.sources.max_page_mb = 0.002  # 2 KB
    del runtime.crawl_limits  # the cached limits, read again
    (root / "canteen.html").write_text(PAGES["canteen.html"].replace("</p>", " Bon appetit." * 300 + "</p>"))
    big_page = sync_source(runtime, url, "default")
    assert big_page.deleted == [] and _names(runtime) == names
    assert {n["reason"] for n in big_page.notes} == {"too_large"}, big_page.notes
    (root / "index.html").write_text(PAGES["index.html"].replace("</p>", " Welcome!" * 300 + "</p>"))
    big_start = sync_source(runtime, url, "default")
    assert big_start.deleted == [] and _names(runtime) == names, big_start.notes
    other_site = url.replace("127.0.0.1", "localhost").replace("index.html", "maintenance.html")
    (root / "maintenance.html").write_text("<html><body><h1>Down</h1><p>Back at noon.</p></body></html>")
    (root / "redirects.json").write_text(json.dumps({"/index.html": other_site}))
    moved = sync_source(runtime, url, "default")
    assert moved.deleted == [] and names < _names(runtime), moved.notes
    assert "moved" in {n["reason"] for n in moved.notes}


def test_the_crawler_refuses_loopback_unless_the_operator_allows_it(runtime, site) -> None:
    url, _ = site
    assert runtime.settings.sources.allow_private is False
    with pytest.raises(UnsafeURL, match="RAG_SOURCES__ALLOW_PRIVATE|loopback"):
        sync_source(runtime, url, "default")
    assert _names(runtime) == set()


def test_the_api_syncs_web_sites_only_and_refuses_unsafe_addresses(client, site) -> None:
    url, _ = site
    a = key(client, "acme")
    r = client.post("/v1/sources", json={"url": url}, headers=a)
    assert r.status_code == 422 and r.json()["title"] == "address not allowed", r.text
    for bad in ("file:///etc", "s3://bucket/x"):
        r = client.post("/v1/sources", json={"url": bad}, headers=a)
        assert r.status_code == 422 and "only web sites" in r.json()["detail"], r.text
    r = client.post("/v1/sources", json={"url": "http://169.254.169.254/latest/meta-data/"}, headers=a)
    assert r.status_code == 422, r.text
    r = client.post("/v1/sources", json={"url": "not a url at all"}, headers=a)
    assert r.status_code in (422, 400) and r.status_code != 500, r.text


def test_rag_ingest_takes_a_folder_url_and_says_what_it_synced(cli, tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "leave.md").write_text(LEAVE)
    uri = canonical(str(folder))
    first = json.loads(cli("ingest", uri, "--json").stdout)
    assert (first["added"], first["source"]) == (1, uri)
    (folder / "leave.md").unlink()
    second = json.loads(cli("ingest", uri, "--json").stdout)
    assert second["deleted_documents"] == ["leave.md"]
    out = cli("ingest", "nosuch://x", code=1).output
    assert "no filesystem" in out and "Traceback" not in out


# -- what a sync must not touch ----------------------------------------------------------------------------


def _sync(rt, folder: Path, tenant: str = "default"):
    uri = canonical(str(folder))
    return sync(rt.ingestor, rt.sources, uri, tenant, list_folder(uri), leases=rt.leases)


def test_two_folders_with_the_same_file_name_do_not_overwrite_or_delete_each_other(runtime, tmp_path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d, text in ((a, LEAVE), (b, BIKES)):
        d.mkdir()
        (d / "readme.md").write_text(text)
    assert _sync(runtime, a).ingest.count("added") == 1
    second = _sync(runtime, b)
    [refused] = second.ingest.outcomes
    assert (refused.status, refused.reason) == ("failed", "conflict") and "another source" in refused.error
    hits = runtime.retriever.search("paid annual leave", tenant="default").hits
    assert hits[0].source == "readme.md" and "27 days" in hits[0].text  # still a's
    (b / "readme.md").unlink()
    assert _sync(runtime, b).deleted == [] and _names(runtime) == {"readme.md"}
    # The same content from another source is the same document: adopted, not a conflict.
    c = tmp_path / "c"
    c.mkdir()
    (c / "readme.md").write_text(LEAVE)
    assert [o.status for o in _sync(runtime, c).ingest.outcomes] == ["unchanged"]


def test_an_upload_over_a_synced_file_is_the_users_and_stays(runtime, tmp_path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "policy.md").write_text(LEAVE)
    _sync(runtime, folder)
    newer = LEAVE.replace("27", "29")
    assert runtime.ingestor.ingest([_upload("policy.md", newer)]).count("updated") == 1
    (folder / "policy.md").write_text(LEAVE.replace("27", "28"))  # changed at the source too
    [refused] = _sync(runtime, folder).ingest.outcomes
    assert refused.reason == "conflict"
    (folder / "policy.md").unlink()
    gone = _sync(runtime, folder)
    assert gone.deleted == [] and [n["reason"] for n in gone.notes] == ["kept"]
    hits = runtime.retriever.search("paid annual leave", tenant="default").hits
    assert hits[0].source == "policy.md" and "29 days" in hits[0].text


def test_one_sync_of_a_source_at_a_time(runtime, tmp_path) -> None:
    from ingest.sourcestore import source_key
    from ingest.sync import SourceBusy

    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "leave.md").write_text(LEAVE)
    uri = canonical(str(folder))
    with runtime.leases.hold(f"source-sync:default:{source_key(uri)}") as taken:
        assert taken
        with pytest.raises(SourceBusy, match="being synced already"):
            _sync(runtime, folder)
    assert _sync(runtime, folder).ingest.count("added") == 1  # free again


def test_a_file_whose_name_is_not_utf8_is_left_out_and_the_rest_synced(runtime, tmp_path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "leave.md").write_text(LEAVE)
    with open(os.path.join(os.fsencode(folder), b"caf\xe9-menu.md"), "wb") as f:  # Latin-1, not UTF-8
        f.write(BIKES.encode())
    report = _sync(runtime, folder)
    assert report.ingest.count("added") == 1 and _names(runtime) == {"leave.md"}
    [note] = report.notes
    assert note["reason"] == "bad_name" and "UTF-8" in note["detail"] and "menu.md" in note["url"]


def test_a_file_moved_to_another_synced_folder_keeps_its_document(runtime, tmp_path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "leave.md").write_text(LEAVE)
    _sync(runtime, a)
    (a / "leave.md").rename(b / "leave.md")
    assert [o.status for o in _sync(runtime, b).ingest.outcomes] == ["unchanged"]  # adopted by b
    gone_from_a = _sync(runtime, a)
    assert gone_from_a.deleted == [] and _names(runtime) == {"leave.md"}  # b holds it now
    (b / "leave.md").unlink()
    assert _sync(runtime, b).deleted == ["leave.md"] and _names(runtime) == set()


def test_a_document_deleted_by_hand_comes_back_while_its_file_is_there(runtime, tmp_path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "leave.md").write_text(LEAVE)
    first = _sync(runtime, folder)
    runtime.ingestor.delete("default", first.ingest.outcomes[0].doc_id)
    again = _sync(runtime, folder)
    assert [o.status for o in again.ingest.outcomes] == ["added"] and _names(runtime) == {"leave.md"}


def test_each_document_is_remembered_as_it_is_written(runtime, tmp_path) -> None:
    # A sync killed half-way must know what it wrote: the rest is what the next one reads.
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "a.md").write_text(LEAVE)
    (folder / "b.md").write_text(BIKES)
    uri = canonical(str(folder))

    def killed(outcome) -> None:  # noqa: ANN001
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(runtime.ingestor, runtime.sources, uri, "default", list_folder(uri), on_outcome=killed)
    assert len(runtime.sources.items("default", uri)) == 1
    again = _sync(runtime, folder)
    # b.md was written before the kill but not yet remembered: its content is the same, so it is adopted.
    assert again.skipped == 1 and [o.status for o in again.ingest.outcomes] == ["unchanged"]


def test_the_api_counts_a_sites_new_pages_against_the_tenants_quota(client, site) -> None:
    url, _ = site
    settings = client.app.state.services.runtime.settings
    settings.sources.allow_private = True  # the operator's: the test site is on loopback
    settings.sources.crawl_delay_cap_s = 0
    a = key(client, "acme")
    settings.api.tenant_quota_mb = 0.0001  # 104 bytes: less than the three pages
    r = client.post("/v1/sources", json={"url": url}, headers=a)
    assert r.status_code == 413 and "quota" in r.json()["detail"], r.text
    assert client.get("/v1/documents", headers=a).json()["items"] == []
    settings.api.tenant_quota_mb = 100
    r = client.post("/v1/sources", json={"url": url, "max_depth": 1}, headers=a)
    assert r.status_code == 200 and r.json()["state"] == "done", r.text
    assert r.json()["report"]["added"] == 3 and r.json()["source"] == url, r.text


def _slow_site(client, root: Path) -> None:  # noqa: ANN001
    """The test site behind a Crawl-delay of 1 s: a sync of its three pages takes about two seconds."""
    (root / "robots.txt").write_text("User-agent: *\nCrawl-delay: 1\n")
    settings = client.app.state.services.runtime.settings
    settings.sources.allow_private = True  # the operator's: the test site is on loopback
    runtime = client.app.state.services.runtime
    runtime.__dict__.pop("crawl_limits", None)  # the cached limits, read again
    settings.sources.crawl_delay_cap_s = 1


def _until_ended(client, headers: dict[str, str], run_id: str) -> dict:  # noqa: ANN001
    deadline = time.monotonic() + 60
    while (r := client.get(f"/v1/sources/syncs/{run_id}", headers=headers)).json()["state"] == "running":
        assert time.monotonic() < deadline, r.text
        time.sleep(0.1)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_sync_runs_past_its_request_and_can_be_followed(client, site) -> None:
    url, root = site
    _slow_site(client, root)
    a, b = key(client, "acme"), key(client, "globex")
    r = client.post("/v1/sources?wait=false", json={"url": url}, headers=a)
    assert r.status_code == 202 and r.json()["state"] == "running" and r.json()["report"] is None, r.text
    run_id = r.json()["id"]
    busy = client.post("/v1/sources", json={"url": url}, headers=a)  # the same site, same tenant
    assert busy.status_code == 409 and run_id in busy.json()["detail"], busy.text
    assert client.get(f"/v1/sources/syncs/{run_id}", headers=b).status_code == 404  # not globex's
    other = client.post("/v1/sources?wait=false", json={"url": url}, headers=b)  # globex's own sync
    assert other.status_code == 202, other.text
    done = _until_ended(client, a, run_id)
    assert done["state"] == "done" and done["report"]["added"] == 3 and done["finished_at"], done
    assert _until_ended(client, b, other.json()["id"])["report"]["added"] == 3
    assert client.get("/v1/documents", headers=a).json()["total"] == 3
    again = client.post("/v1/sources", json={"url": url}, headers=a)  # free again once it ended
    assert again.status_code == 200 and again.json()["report"]["not_read"] == 3, again.text


def test_a_sync_that_fails_in_the_background_says_why(client, site) -> None:
    url, root = site
    _slow_site(client, root)
    (root / "index.html").unlink()  # the start page is gone: the site cannot be synced
    a = key(client, "acme")
    r = client.post("/v1/sources?wait=false", json={"url": url}, headers=a)
    assert r.status_code == 202, r.text
    failed = _until_ended(client, a, r.json()["id"])
    assert failed["state"] == "failed" and failed["reason"] == "fetch_failed", failed
    assert "404" in failed["error"] and failed["report"] is None
    waited = client.post("/v1/sources", json={"url": url}, headers=a)  # waited for: the error itself
    assert waited.status_code == 502 and "404" in waited.json()["detail"], waited.text


def test_stopping_the_service_ends_a_crawl_as_stopped_and_deletes_nothing(client, site) -> None:
    url, root = site
    _slow_site(client, root)
    a = key(client, "acme")
    services = client.app.state.services
    r = client.post("/v1/sources?wait=false", json={"url": url}, headers=a)
    time.sleep(0.3)  # the start page fetched, the next one waits out the Crawl-delay
    services.site_syncs.close()
    run = services.site_syncs.runs.get("acme", r.json()["id"])
    assert run is not None and (run.state, run.reason) == ("failed", "stopped"), run
    assert client.get("/v1/documents", headers=a).json()["total"] == 0


def test_a_sync_left_by_a_dead_process_is_abandoned_and_frees_its_site(db_url: str) -> None:
    mine = SyncRuns(db_url)
    everyone_dead = SyncRuns(db_url, alive=lambda run: False)  # as a process that outlived the first
    try:
        first = mine.begin("acme", "https://intranet.example/")
        with pytest.raises(SourceBusy, match=first.id):
            mine.begin("acme", "https://intranet.example/")
        assert mine.begin("globex", "https://intranet.example/").tenant == "globex"  # another tenant's
        second = everyone_dead.begin("acme", "https://intranet.example/")
        gone = mine.get("acme", first.id)
        assert gone is not None and (gone.state, gone.reason) == ("failed", "abandoned")
        assert not mine.finish(first.id, {})  # its process may come back: it cannot end it again
        assert mine.get("globex", second.id) is None  # a tenant sees its own runs only
        assert everyone_dead.get("acme", second.id).state == "failed"  # its own owner is dead to it too
    finally:
        mine.close()
        everyone_dead.close()


def test_a_tenant_gets_429_past_its_share_of_syncs(client, site) -> None:
    url, root = site
    _slow_site(client, root)
    settings = client.app.state.services.runtime.settings
    settings.sources.api_syncs = 1  # read on each request: one sync of a tenant at a time here
    a, b = key(client, "acme"), key(client, "globex")
    first = client.post("/v1/sources?wait=false", json={"url": url}, headers=a)
    assert first.status_code == 202, first.text
    other_site = url.replace("index.html", "canteen.html")
    r = client.post("/v1/sources?wait=false", json={"url": other_site}, headers=a)
    assert r.status_code == 429 and r.headers["Retry-After"] and "RAG_SOURCES__API_SYNCS" in r.text, r.text
    assert client.post("/v1/sources?wait=false", json={"url": url}, headers=b).status_code == 202
    _until_ended(client, a, first.json()["id"])
    r = client.post("/v1/sources?wait=false", json={"url": other_site}, headers=a)
    assert r.status_code == 202, r.text


def test_a_run_whose_end_could_not_be_written_does_not_hold_its_site(client, site, monkeypatch) -> None:
    url, _ = site
    settings = client.app.state.services.runtime.settings
    settings.sources.allow_private = True  # the operator's: the test site is on loopback
    syncs = client.app.state.services.site_syncs
    a = key(client, "acme")

    def unwritable(run_id: str, report: dict) -> bool:
        raise OSError("disk I/O error")  # as the registry's database could fail

    monkeypatch.setattr(syncs.runs, "finish", unwritable)
    r = client.post("/v1/sources", json={"url": url}, headers=a)  # the thread ends without its row
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    assert r.json()["reason"] == "abandoned"
    monkeypatch.undo()
    again = client.post("/v1/sources", json={"url": url}, headers=a)
    assert again.status_code == 200 and again.json()["state"] == "done", again.text


@pytest.mark.slow  # a real `rag serve` started and stopped: about 40 s
def test_sigterm_stops_a_sync_a_request_waits_on_within_the_grace(site, tmp_path: Path, onnx_cache) -> None:
    """uvicorn waits for open requests before the app stops: a request waiting on a sync of a slow site
    would hold the stop for minutes. With RAG_API__SHUTDOWN_GRACE_S it is cut off, and the sync ends
    stopped, having deleted nothing."""
    url, root = site
    (root / "robots.txt").write_text("User-agent: *\nCrawl-delay: 5\n")
    data = tmp_path / "data"
    env = rag_env(
        data,
        onnx_cache,
        RAG_API__AUTH="false",
        RAG_SOURCES__ALLOW_PRIVATE="true",
        RAG_SOURCES__CRAWL_DELAY_CAP_S="5",
        RAG_API__SHUTDOWN_GRACE_S="1",
    )
    with rag_serve(env) as server:

        def post() -> None:
            with contextlib.suppress(httpx.HTTPError):  # cut off by the stop
                httpx.post(f"{server.base_url}/v1/sources", json={"url": url}, timeout=60)

        threading.Thread(target=post, daemon=True).start()
        time.sleep(1.5)  # robots.txt read, the start page waits out the Crawl-delay
        t0 = time.monotonic()
        server.process.terminate()
        server.process.wait(timeout=60)
        stopped_in = time.monotonic() - t0
    assert stopped_in < 10, f"{stopped_in:.1f} s to stop"
    registry = sqlalchemy.create_engine(f"sqlite:///{data / 'registry.sqlite'}")
    try:
        with registry.connect() as db:  # the table as the next process finds it
            [(state, reason)] = db.execute(sqlalchemy.text("SELECT state, reason FROM sync_runs")).all()
    finally:
        registry.dispose()
    assert (state, reason) == ("failed", "stopped")
