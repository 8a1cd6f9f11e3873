"""The 903's postcode shape (the DfE's rule) never accepts what the record's own check refuses."""

from hypothesis import given
from hypothesis import strategies as st

from opencsc.core.limits import postcode_error
from opencsc.returns.ssda903.postcodes import POSTCODE_FORMAT

LETTER = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGIT = st.sampled_from("0123456789")
POSTCODE_LIKE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", min_size=5, max_size=9)


@st.composite
def dfe_shaped(draw: st.DrawFn) -> str:
    area = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2))
    district = draw(DIGIT) + draw(st.sampled_from(["", *"0123456789ABCDEFGHJKMNPRSTUVWXY"]))
    space = draw(st.sampled_from(["", " "]))
    return f"{area}{district}{space}{draw(DIGIT)}{draw(LETTER)}{draw(LETTER)}"


@given(dfe_shaped())
def test_every_dfe_shaped_postcode_is_accepted_by_the_record(postcode: str) -> None:
    assert POSTCODE_FORMAT.match(postcode)
    assert postcode_error(postcode) is None


@given(POSTCODE_LIKE)
def test_nothing_the_record_refuses_passes_the_903_shape(candidate: str) -> None:
    if postcode_error(candidate) is not None:
        assert not POSTCODE_FORMAT.match(candidate)


def test_the_record_also_takes_forms_the_dfe_never_sees() -> None:
    for postcode in ("GIR 0AA", "BFPO 105"):
        assert postcode_error(postcode) is None
        assert not POSTCODE_FORMAT.match(postcode)
