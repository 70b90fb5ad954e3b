"""The Spark sessions of the Spark tests: pathways' local session, and a standalone cluster (issue 26, item 2).

In local mode the driver and the executors share one JVM and one Python, so code that only works there
passes. The fixture ``spark_cluster`` starts a real standalone cluster from the installed pyspark: a master
and two workers, each a separate JVM (``spark-class org.apache.spark.deploy.master.Master`` / ``...Worker``),
on free ports of 127.0.0.1, with the Java pathways uses (:func:`pathways.spark_session.java_home`), small memory,
logs in a temporary folder; the executors run this venv's Python (``PYSPARK_PYTHON``, which the driver's
SparkContext reads when it starts: ``spark.pyspark.python`` is read by spark-submit only). It is started once,
when the first test asks for it, and stopped at the end.

``spark`` is parametrised: ``local`` (pathways' own local session) and ``standalone`` (a session of the
cluster). A test may ask for ``small_results`` instead (``@pytest.mark.parametrize("spark", ["small_results"],
indirect=True)``): a session of the cluster whose driver collects at most 1 MB per action
(``spark.driver.maxResultSize``), so that any collect of event-level data fails (broadcast joins off: see
:data:`NO_BROADCASTS`). The tests of the cluster
sessions run last, in that order (one switch of session each), the others as they come.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

#: The ``small_results`` session's limit on what one action may bring to the driver: results are small
#: tables, event-level data (100,000 events) exceeds it.
MAX_RESULT_SIZE = "1m"
#: The ``small_results`` session also plans no broadcast join. Spark broadcasts the smaller side of a join when
#: its estimated size is under ``spark.sql.autoBroadcastJoinThreshold`` (10 MB by default), and a broadcast
#: table is collected through the driver, where it counts against ``spark.driver.maxResultSize``. At 100,000
#: events tables of that size are whole columns of the events or of the unit path: with broadcasts on,
#: circular_referrals(on="referrals") on the high-variant shape and indicators on the danish shape stopped at
#: the 1 MB limit, and passed with them off. A broadcast is Spark's choice of join, bounded by its threshold
#: however large the log, not an analysis bringing its data to the driver; without broadcasts the limit
#: measures what the analyses fetch.
NO_BROADCASTS = {"spark.sql.autoBroadcastJoinThreshold": "-1"}
#: The sessions, in the order their tests run.
SESSIONS = ("local", "standalone", "small_results")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A Spark standalone master and ``workers`` workers, each a process of its own."""

    def __init__(self, workers: int = 2, memory: str = "1g"):
        import pyspark

        from pathways import spark_session

        self.home = os.path.dirname(pyspark.__file__)
        self.logs = tempfile.mkdtemp(prefix="pathways-spark-cluster-")
        java = spark_session.java_home()
        self.env = {**os.environ, "SPARK_HOME": self.home, "SPARK_LOG_DIR": self.logs, "SPARK_LOCAL_IP": "127.0.0.1",
                    "SPARK_DAEMON_MEMORY": "256m", "PYSPARK_PYTHON": sys.executable,
                    "SPARK_WORKER_DIR": os.path.join(self.logs, "work")}
        if java:
            self.env["JAVA_HOME"] = java
        self.processes: list[subprocess.Popen] = []
        port, self.ui = _free_port(), _free_port()
        self.url = f"spark://127.0.0.1:{port}"
        try:
            self._start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
                        "--webui-port", str(self.ui))
            for k in range(workers):
                self._start(f"worker{k}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                            "--port", str(_free_port()), "--webui-port", str(_free_port()), "--cores", "1",
                            "--memory", memory, "--work-dir", os.path.join(self.logs, f"work{k}"), self.url)
            self._wait(workers)
        except BaseException:
            self.stop()
            raise

    def _start(self, name: str, main: str, *args: str) -> None:
        with open(os.path.join(self.logs, f"{name}.log"), "wb") as log:
            self.processes.append(subprocess.Popen([os.path.join(self.home, "bin", "spark-class"), main, *args],
                                                   env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                   stdin=subprocess.DEVNULL, start_new_session=True))

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui}/json/", timeout=5) as r:
            return json.load(r)

    def _wait(self, workers: int, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            dead = [p for p in self.processes if p.poll() is not None]
            if dead:
                raise RuntimeError(f"a Spark cluster process stopped (exit {dead[0].returncode}); logs in {self.logs}")
            try:
                if self.status().get("aliveworkers", 0) >= workers:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the Spark cluster did not get {workers} workers in {timeout:.0f} s; logs in {self.logs}")

    def stop(self) -> None:
        for p in reversed(self.processes):  # workers first (they stop their executors), then the master
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.logs, ignore_errors=True)


def _stop_active_session() -> None:
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def cluster_session(url: str, **config):
    """A session of the cluster at ``url``, as ``pathways ... --master URL`` makes one (``spark_session.connect``), with
    two single-core executors of 512 MB, and ``config``; the driver binds to 127.0.0.1, as the cluster does."""
    from pathways import spark_session

    session = spark_session.connect(url, **{
        "spark.app.name": "pathways-tests", "spark.driver.bindAddress": "127.0.0.1", "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false", "spark.executor.memory": "512m", "spark.executor.cores": "1",
        "spark.cores.max": "2", **config})
    _wait_for_executors(session, 2)
    return session


def _wait_for_executors(session, executors: int, timeout: float = 120) -> None:
    """Until ``executors`` executors have registered with the driver: they start as processes of their own a few
    seconds after the session, later still on a loaded machine, and a test that counts them must not race them."""
    status = session.sparkContext._jsc.sc().getExecutorMemoryStatus
    end = time.monotonic() + timeout
    while status().size() < executors + 1:  # the driver is listed too
        if time.monotonic() > end:
            raise RuntimeError(f"{status().size() - 1} of {executors} executors registered in {timeout:.0f} s")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def spark_cluster():
    """The ``spark://`` URL of a standalone cluster (a master and two workers) started for the tests."""
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'pathways[spark]'")
    cluster = Cluster()
    yield cluster.url
    _stop_active_session()  # before the cluster goes
    cluster.stop()


@pytest.fixture(scope="session", params=["local", "standalone"])
def spark(request):
    """A SparkSession: pathways' local one, or one of the standalone cluster (see the module notes)."""
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'pathways[spark]'")
    from pathways import spark_session

    if request.param == "local":
        yield spark_session.session()
        return
    url = request.getfixturevalue("spark_cluster")
    _stop_active_session()  # one SparkContext per process: the session before makes way
    small = {"spark.driver.maxResultSize": MAX_RESULT_SIZE, **NO_BROADCASTS} if request.param == "small_results" \
        else {}
    before = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors' Python: the driver's SparkContext reads it
    try:
        session = cluster_session(url, **small)
        yield session
        session.stop()
    finally:
        if before is None:
            os.environ.pop("PYSPARK_PYTHON", None)
        else:
            os.environ["PYSPARK_PYTHON"] = before


def _session_order(item) -> int:
    callspec = getattr(item, "callspec", None)
    return SESSIONS.index(callspec.params.get("spark", "local")) if callspec is not None else 0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests of the cluster sessions last, so that each session starts once."""
    items.sort(key=_session_order)  # stable: the order within each group is kept
