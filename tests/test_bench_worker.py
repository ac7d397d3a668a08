"""`entities bench`'s retry-worker part end to end at a tiny scale, against a real webhook target process."""
from entities.cli import bench, bench_worker


def test_worker_bench_reports_throughput_and_the_sequential_baseline(tmp_path):
    """The user runs the worker bench and gets the bulk retry's time and rate, the old worker's rate and the
    ratio, the batched webhook's rate and its ratio to one call per record, and how long a healthy integration took
    beside a hanging one."""
    source, _ = bench.ensure_db(tmp_path, 60, 7)
    worker = bench_worker.measure(source, tmp_path, 60, lambda text: None, deadline=1.0)
    assert worker["bulk"]["finished"] == worker["bulk"]["records"] == 60
    assert worker["sequential"]["records"] == 6 and worker["sequential"]["per_second"] > 0
    assert worker["ratio_to_sequential"] > 0
    assert worker["hanging"]["healthy_records"] > 0 and worker["hanging"]["seconds"] > 0
    assert worker["batch"]["finished"] == 60 and 0 < worker["batch"]["calls"] < 60
    assert worker["ratio_batch_to_single_8"] > 0
    assert "old sequential worker" in bench_worker.render(worker)
    assert "batches of up to 25" in bench_worker.render(worker)
