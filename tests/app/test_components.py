"""app/components.py outside a running app (Streamlit's bare mode): table events and the selection."""

from __future__ import annotations

import pytest
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import state
from nodescope.core.loaders import load


@pytest.fixture
def karate_session():
    st.session_state.clear()
    st.session_state["sample"] = load("karate")
    yield
    st.session_state.clear()


def test_a_row_picked_in_the_selected_only_table_focuses_it_and_keeps_the_selection(karate_session):
    # Issue 17: with "Only selected nodes" on, picking a row replaced a 12-node selection with one row.
    twelve = list(range(10, 22))
    state.select(twelve)
    shown = twelve  # the table lists only the selected nodes
    st.session_state["table"] = {"selection": {"rows": [3]}}
    ui.take_table_event("table", lambda r: shown[r], within_selection=True)
    assert state.selection().nodes == tuple(twelve) and state.selection().focus == 13


def test_a_row_picked_in_the_full_table_selects_it(karate_session):
    state.select(list(range(10, 22)))
    st.session_state["table"] = {"selection": {"rows": [3]}}
    ui.take_table_event("table", lambda r: r)
    assert state.selection().nodes == (3,) and state.selection().focus == 3


def test_one_option_is_text_not_a_widget():
    # Issue 17: one-option radios and dropdowns ("Sweep", "Surface: surface") look like a choice.
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from nodescope.app import components as ui

        one = ui.one_of(st, "radio", "Sweep", ["at initialization"], key="one")
        two = ui.one_of(st, "selectbox", "Surface", ["pial", "white"], key="two")
        st.write(f"{one} / {two}")

    at = AppTest.from_function(page).run()
    assert not at.exception, at.exception
    assert not at.radio and [b.label for b in at.selectbox] == ["Surface"]
    assert [c.value for c in at.caption] == ["Sweep: at initialization"]
    assert at.markdown[-1].value == "at initialization / pial"
