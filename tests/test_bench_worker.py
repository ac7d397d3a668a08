"""`entities bench`'s retry-worker part end to end at a tiny scale, against a real webhook target process."""
import json

from entities.cli import main


def test_worker_bench_reports_throughput_and_the_sequential_baseline(tmp_path):
    """The user runs the bench and gets the bulk retry's time and rate, the old worker's rate and the ratio."""
    out = tmp_path / "out.json"
    assert main(["bench", "--entities", "300", "--runs", "1", "--no-browser", "--no-baselines",
                 "--worker-records", "300", "--dir", str(tmp_path), "--json", str(out)]) == 0
    worker = json.loads(out.read_text())["worker"]
    assert worker["bulk"]["finished"] == worker["bulk"]["records"] == 300
    assert worker["sequential"]["records"] == 30 and worker["sequential"]["per_second"] > 0
    assert worker["ratio_to_sequential"] > 0
    assert worker["hanging"]["healthy_records"] > 0 and worker["hanging"]["seconds"] > 0
