"""Interactive ipywidgets for the notebooks, one module per widget.

Every widget is a plain function of its inputs wrapped in sliders, so it can be
driven from Python (set `.value`, read the output) and tested without a browser.
"""
