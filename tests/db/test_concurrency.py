"""Writers working at the same time keep one unbroken audit chain per case."""

from __future__ import annotations

import threading

from caseapp.app import App


def test_concurrent_writers_keep_the_audit_chain(app: App) -> None:
    case = app.cases.create(title="并发")
    errors: list[BaseException] = []

    def worker(tag: str) -> None:
        try:
            for i in range(15):
                app.parties.add(case.id, name=f"{tag}-{i}")
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(app.parties.list(case.id)) == 45
    result = app.audit.verify(case.id)
    assert result.ok, result.problems
    assert result.entries == 46 and result.head_seq == 46
