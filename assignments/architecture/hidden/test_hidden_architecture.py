"""Hidden tests of reading an architecture: receptive_field, layer_table and lenet5, on the
lecture's networks and on generated ones, against the reference."""

import pytest
from hypothesis import example, given, settings

from architecture_checks import (
    LENET_INPUT,
    LENET_PARAMETERS,
    check_layer_table,
    check_lenet5,
    check_receptive_field,
    check_rejects,
    networks,
)

LENET = [("conv", 6, 5, 0, 1), ("relu",), ("pool", 2, 2), ("conv", 16, 5, 0, 1), ("relu",), ("pool", 2, 2),
         ("flatten",), ("dense", 120), ("relu",), ("dense", 84), ("relu",), ("dense", 10)]


@pytest.mark.question("receptive_field")
def test_receptive_field_of_stacked_three_by_three_convolutions(student, reference):
    """receptive_field of two and three 3×3 convolutions with stride 1 is 5 and 7: deeper units see more"""
    check_receptive_field(student, reference, [("conv", 8, 3, 1, 1), ("relu",), ("conv", 8, 3, 1, 1)])
    check_receptive_field(student, reference, [("conv", 8, 3, 1, 1)] * 3)


@pytest.mark.question("receptive_field")
def test_receptive_field_multiplies_earlier_strides(student, reference):
    """receptive_field counts a layer's window in steps of the product of the earlier strides: LeNet-5's second
    pool sees 16×16"""
    check_receptive_field(student, reference, LENET[:6])
    check_receptive_field(student, reference, [("conv", 4, 3, 0, 2), ("conv", 4, 3, 0, 2), ("conv", 4, 3, 0, 1)])


@pytest.mark.question("receptive_field")
@settings(max_examples=20)
@given(case=networks(dense=False))
@example(case=((1, 16, 16), [("pool", 2, 2), ("conv", 3, 3, 1, 1)]))
def test_receptive_field_matches_reference(student, reference, case):
    """receptive_field matches the reference on generated stacks of conv, pool and relu layers"""
    check_receptive_field(student, reference, case[1])


@pytest.mark.question("receptive_field")
def test_receptive_field_rejects_dense_layers(student, reference):
    """receptive_field raises ValueError for flatten and dense layers, and is 1 for no layer"""
    check_rejects(student, reference, "receptive_field", [
        (([("conv", 4, 3, 0, 1), ("flatten",)],), "after flatten a unit sees the whole input"),
        (([("dense", 10)],), "a dense unit sees the whole input"),
    ])
    check_receptive_field(student, reference, [])


@pytest.mark.question("layer_table")
def test_layer_table_of_lenet5(student, reference):
    """layer_table of LeNet-5 on a 32×32 grayscale input: shapes and parameters row by row, 61,706 in all"""
    assert sum(row[2] for row in reference.layer_table(LENET_INPUT, LENET)) == LENET_PARAMETERS
    check_layer_table(student, reference, LENET_INPUT, LENET)


@pytest.mark.question("layer_table")
def test_layer_table_counts_padding_on_each_side(student, reference):
    """layer_table of a padded, strided conv on a colour image: ⌊(H + 2P − f) / S⌋ + 1 on each axis"""
    check_layer_table(student, reference, (3, 13, 10), [("conv", 4, 3, 2, 2), ("relu",), ("flatten",)])


@pytest.mark.question("layer_table")
@settings(max_examples=25)
@given(case=networks())
@example(case=((3, 11, 9), [("conv", 2, 3, 1, 1), ("pool", 2, 2), ("flatten",), ("dense", 5)]))
def test_layer_table_matches_reference(student, reference, case):
    """layer_table matches the reference on generated networks of conv, relu, pool, flatten and dense layers"""
    check_layer_table(student, reference, *case)


@pytest.mark.question("layer_table")
def test_layer_table_rejects_layers_that_do_not_fit(student, reference):
    """layer_table raises ValueError for a window larger than its input, dense before flatten, conv after
    flatten; and accepts a window exactly as large as its input"""
    check_rejects(student, reference, "layer_table", [
        (((1, 4, 4), [("conv", 2, 7, 1, 1)]), "a 7×7 kernel does not fit a 4×4 input padded by 1"),
        (((2, 6, 6), [("pool", 2, 2), ("pool", 4, 1)]), "the second pool's 4×4 window does not fit 3×3"),
        (((1, 8, 8), [("dense", 10)]), "a dense layer needs a flat input: flatten first"),
        (((1, 8, 8), [("flatten",), ("conv", 2, 1, 0, 1)]), "a conv layer needs a (C, H, W) input"),
    ])
    check_layer_table(student, reference, (2, 5, 7), [("pool", 5, 1), ("conv", 1, 3, 1, 1)])


@pytest.mark.question("lenet5")
def test_lenet5_is_the_described_network(student, reference):
    """lenet5 gives the network its docstring describes: through layer_table, every row of LeNet-5 matches"""
    check_lenet5(student, reference)
