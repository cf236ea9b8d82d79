"""A photo over the limit is named with a size that is over the limit: 10 MiB and 9 bytes is not
"10.0 MB, the limit is 10 MB"."""

from diaodu.uploads import size_text


def test_size_over_the_limit_never_rounds_onto_it():
    assert size_text(10 * 1024 * 1024 + 9) == "10.01 MB"
    assert size_text(12 * 1024 * 1024) == "12 MB"
    assert size_text(int(10.5 * 1024 * 1024)) == "10.50 MB"
