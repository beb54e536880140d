"""``nodescope reviews export`` and ``verify``: a signed CSV verifies, an edited one exits 1 and says where."""

from nodescope.cli.main import main
from nodescope.core.reviews import ReviewStore


def test_export_then_verify_then_tamper(tmp_path, capsys):
    db = tmp_path / "reviews.sqlite3"
    store = ReviewStore(db)
    for node, verdict in ((1, "accept"), (2, "reject")):
        store.add(dataset="Karate club", fingerprint="fp", model="xnode-gcn (shipped)", node=node,
                  verdict=verdict, reviewer="Dr. A", weights_sha256="b" * 64, explanation="Predicted A.")  # fmt: skip
    out = tmp_path / "reviews.csv"
    assert main(["reviews", "export", "--db", str(db), "--out", str(out)]) == 0
    digest = capsys.readouterr().out.split("content sha256 ")[1].strip()
    assert main(["reviews", "export", "--db", str(db), "--out", str(tmp_path / "reviews.html")]) == 0
    assert digest in (tmp_path / "reviews.html").read_text()
    capsys.readouterr()
    assert main(["reviews", "verify", str(out), "--expected", digest]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 review(s)")
    out.write_text(out.read_text().replace(",2,reject,", ",2,accept,"))
    assert main(["reviews", "verify", str(out)]) == 1
    assert "review id 2" in capsys.readouterr().out
    assert main(["reviews", "export", "--db", str(db), "--out", str(tmp_path / "r.txt")]) == 2
