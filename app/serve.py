"""The app's server process: Streamlit's own command line, with the pages' imports started first.

``nodescope app`` runs ``python app/serve.py run app/main.py --server.port …``, the arguments
of ``streamlit run``; see :mod:`nodescope.app.warmup` for what starting first buys.
"""

from __future__ import annotations

from nodescope.app import warmup


def main() -> None:
    """Start the warm-up, then hand ``sys.argv`` to Streamlit's command line."""
    warmup.start()
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
