"""The Streamlit front end: the entry script, the page scripts under ``views/``, and what they share.

Shared state (the selection, the loaded sample, the model), cached analyses per page and widgets.
Logic that does not need Streamlit lives in the layers below.
"""
