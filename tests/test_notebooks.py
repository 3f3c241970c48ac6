"""The notebooks of notebooks/ (issue 7): they are kept without outputs, exactly as
notebooks/build.py writes them, and each one executes without error in a fresh kernel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

_spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

# What each notebook needs beyond the action engine; a missing module skips, naming it.
NEEDS = {
    "01_one_call.ipynb": (),
    "02_actions_to_statistics.ipynb": ("sim.statserver.stats",),
    "03_capacity_what_if.ipynb": ("sim.analysis.erlang", "sim.analysis.replications",
                                  "sim.analysis.runner"),
    "04_run_as_dataframes.ipynb": ("pandas", "pyarrow"),
}


def test_notebooks_are_stored_without_outputs_and_up_to_date():
    for name in build.NOTEBOOKS:
        path = NOTEBOOKS / name
        assert path.exists(), f"{path} missing: run python notebooks/build.py"
        assert path.read_text(encoding="utf-8") == build.render(name), \
            f"{path} differs from notebooks/build.py: run python notebooks/build.py"
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", list(NEEDS))
def test_notebook_executes(name, tmp_path):
    for module in NEEDS[name]:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{name} needs {module}, which is not installed yet")
    nb = nbformat.read(str(NOTEBOOKS / name), as_version=4)
    # kernel "python3" runs this interpreter: jupyter_client replaces the spec's "python"
    # with sys.executable, so the notebook sees the same environment as the tests.
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})]
    assert images, "every notebook shows at least one plot"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]
    assert not errors
