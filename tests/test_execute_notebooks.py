"""tools/execute_notebooks.py: saved notebooks carry no frozen progress bars."""

import importlib.util
from pathlib import Path

import nbformat

TOOL = Path(__file__).resolve().parents[1] / "tools" / "execute_notebooks.py"
spec = importlib.util.spec_from_file_location("execute_notebooks", TOOL)
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)


def _widget(text):
    data = {"application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                          "version_minor": 0},
            "text/plain": text}
    return nbformat.v4.new_output("display_data", data=data)


def test_progress_bars_are_dropped_and_everything_else_is_kept():
    printed = nbformat.v4.new_output("stream", name="stdout", text="epoch  1: train loss 0.83\n")
    slider = _widget("IntSlider(value=0)")
    cell = nbformat.v4.new_code_cell("fit()")
    cell.outputs = [_widget("epoch 1/8:   0%|          | 0/125 [00:00<?, ?it/s]"), printed,
                    _widget("100%|##########| 55/55 [00:01<00:00, 40.1it/s]"), slider]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# title"), cell])
    execute_notebooks.drop_progress_bars(nb)
    assert nb.cells[1].outputs == [printed, slider]


def test_lines_the_bars_separated_are_joined():
    def line(text, name="stdout"):
        return nbformat.v4.new_output("stream", name=name, text=text)

    bar = _widget("epoch 2/8:  50%|#####     | 1/2 [00:00<00:00,  2.00it/s]")
    cell = nbformat.v4.new_code_cell("fit()")
    cell.outputs = [bar, line("epoch 1\n"), bar, line("epoch 2\n"),
                    line("careful\n", "stderr"), line("epoch 3\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    execute_notebooks.drop_progress_bars(nb)
    assert [(o.name, o.text) for o in cell.outputs] == [
        ("stdout", "epoch 1\nepoch 2\n"), ("stderr", "careful\n"), ("stdout", "epoch 3\n")]


def test_stored_progress_comes_from_an_empty_file_not_the_authors(tmp_path, monkeypatch):
    """The notebooks' last cell shows course_lib.progress(): what is committed must not depend on
    who executed them, and executing must not touch their own progress file."""
    import os

    from course_lib import learner_progress

    mine = tmp_path / "mine.json"
    monkeypatch.setenv("COURSE_LIB_PROGRESS", str(mine))
    learner_progress.record("01", "q1", True, "correct!")
    before = mine.read_bytes()
    cell = nbformat.v4.new_code_cell(
        "from course_lib.exercises import nb01\nnb01.q2.check(22.5)\n"
        "import course_lib\nprint(course_lib.progress('01'))")
    path = tmp_path / "01_demo.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    execute_notebooks.execute(path)
    printed = "".join(o.get("text", "") for o in nbformat.read(path, as_version=4).cells[0].outputs)
    assert "01 · Derivatives: 1 of 3 passed" in printed and "✓ q2 (chain rule)" in printed
    assert "· q1 (numerical derivative)  not tried yet" in printed
    assert mine.read_bytes() == before and os.environ["COURSE_LIB_PROGRESS"] == str(mine)
