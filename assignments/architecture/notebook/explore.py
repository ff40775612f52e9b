# %% [markdown]
# # See your filters and architectures at work
#
# This notebook draws what **your own** functions in `architecture.py` do: your edge and
# blur kernels on a striped image and on a photograph, the matrix of a convolution, the
# receptive field of a small stack of layers, and the layer table of LeNet-5. It checks
# each function with its public tests. It is for understanding, not for submitting:
# Gradescope grades `architecture.py` only.
#
# - Run all cells (*Run → Run All Cells*) at any stage of the homework. A figure that needs a
#   function you have not written yet is skipped with a one-line note.
# - Edit `architecture.py` in your editor, save, and run a cell again: every `check(...)` and
#   every figure reads your `architecture.py` afresh, without restarting the kernel.
# - `check("edge_kernel")` runs the public tests of `edge_kernel` and prints what `pytest`
#   would say.
#
# You need `pip install numpy pytest hypothesis matplotlib jupyter`, and this notebook in the
# folder of your `architecture.py`, with the other files of the release.
#
# The photograph (`camera.npy`) is scikit-image's "camera" image by Lav Varshney, released
# under CC0 (public domain), reduced to 128×128 grey levels: see `camera-LICENSE.txt`.

# %%
import numpy as np
import matplotlib.pyplot as plt

from autograder_local import Explorer

explorer = Explorer("architecture.py")
check, show = explorer.check, explorer.show

PHOTO = np.load("camera.npy") / 255.0  # 128×128 grey levels in [0, 1]
plt.rcParams.update({"figure.dpi": 72, "image.interpolation": "nearest"})


def cross_correlate(image, kernel):
    """The lecture's "valid" cross-correlation S(i, j) = Σ_m Σ_n I(i+m, j+n) K(m, n): the
    kernel slides over every position where it fits inside the image, and is not flipped."""
    kernel = np.asarray(kernel, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijmn,mn->ij", windows, kernel)


def heatmap(ax, values, title, numbers=False, signed=False):
    """Draw values as colours: grey for an image, blue (negative) to red (positive) when
    signed; write each number in its cell when numbers is true."""
    values = np.asarray(values, dtype=float)
    limit = float(np.abs(values).max()) or 1.0
    style = {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit} if signed else {"cmap": "gray"}
    picture = ax.imshow(values, **style)
    if numbers:
        for (i, j), value in np.ndenumerate(values):
            shade = picture.cmap(picture.norm(value))
            ink = "white" if 0.3 * shade[0] + 0.6 * shade[1] + 0.1 * shade[2] < 0.5 else "black"
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=9, color=ink)
    ax.set_title(title, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


def size(values):
    """'8×7' for an array of shape (8, 7)."""
    return "×".join(str(n) for n in np.shape(values))


# %% [markdown]
# ## 1. Your edge kernels on the striped image
#
# The lecture's 8×8 image: white (1) at the left and right, a black (0) stripe in the
# middle. Its only edges are vertical: the image changes from one column to the next after
# columns 1 and 5 (counting from 0), and never from one row to the next.

# %%
check("edge_kernel")

# %% tags=["figure"]
STRIPES = np.ones((8, 8))
STRIPES[:, 2:6] = 0.0


def stripes(arch):
    fig, axes = plt.subplots(2, 3, figsize=(13, 9))
    for row, direction in enumerate(["vertical", "horizontal"]):
        kernel = arch.edge_kernel(direction)
        out = cross_correlate(STRIPES, kernel)
        heatmap(axes[row, 0], STRIPES, f"image, {size(STRIPES)}", numbers=True)
        heatmap(axes[row, 1], kernel, f'edge_kernel("{direction}"), {size(kernel)}', numbers=True, signed=True)
        heatmap(axes[row, 2], out, f"image ⋆ kernel: {size(out)}", numbers=True, signed=True)


show(stripes)

# %% [markdown]
# **Look for:** your vertical kernel answers only in the columns next to the two edges, with
# opposite signs for white-to-black and black-to-white, and zero over the flat parts; your
# horizontal kernel gives zero everywhere, since nothing changes from one row to the next.

# %% [markdown]
# ## 2. Your kernels on a photograph
#
# The same kernels on a real photograph, with your 5×5 blur: "valid" cross-correlation, so
# each output is the kernel's size minus one smaller than the photograph.

# %%
check("blur_kernel")

# %% tags=["figure"]
def photograph(arch):
    kernels = {"vertical edges": arch.edge_kernel("vertical"), "horizontal edges": arch.edge_kernel("horizontal"),
               "blur": arch.blur_kernel(5)}
    layout = [["photo", *kernels], ["photo", *(f"{name} out" for name in kernels)]]
    fig, axes = plt.subplot_mosaic(layout, figsize=(16, 8.5), height_ratios=[1, 2])
    heatmap(axes["photo"], PHOTO, f"photograph, {size(PHOTO)}")
    for name, kernel in kernels.items():
        out = cross_correlate(PHOTO, kernel)
        heatmap(axes[name], kernel, f"{name} kernel, {size(kernel)}", numbers=kernel.size <= 25, signed=True)
        heatmap(axes[f"{name} out"], out, f"{name}: {size(out)}", signed=name != "blur")


show(photograph)

# %% [markdown]
# **Look for:** the vertical-edge map lights up the tripod's legs and the man's outline, the
# horizontal one the horizon and his shoulders (red and blue are the two directions of the
# change), and the blur keeps the shapes but loses the fine details, with the same range of
# grey levels as the photograph.

# %% [markdown]
# ## 3. Local connections and parameter sharing
#
# A 1-D convolution is a matrix W with W @ x = the cross-correlation of x. A dense layer from
# n inputs to n − f + 1 outputs would have a weight in every cell of that matrix; a
# convolution keeps only f cells per row (local connections) and the same f values on every
# row (parameter sharing).

# %%
check("dense_param_count")

# %%
check("conv_as_matrix")

# %% tags=["figure"]
KERNEL_1D = np.array([1.0, 2.0, 3.0])
N = 12


def as_matrix(arch):
    matrix = np.asarray(arch.conv_as_matrix(KERNEL_1D, N))
    rows = matrix.shape[0]
    counts = {"dense": arch.dense_param_count(N, rows, bias=False),
              "local connections": int(np.count_nonzero(matrix)),
              "local + shared": len(np.unique(matrix[matrix != 0]))}
    fig, axes = plt.subplots(1, 2, figsize=(16, 6), width_ratios=[2, 1])
    heatmap(axes[0], matrix, f"conv_as_matrix({KERNEL_1D.tolist()}, {N}): {size(matrix)}", numbers=True,
            signed=True)
    axes[0].set_xlabel("input x[j]")
    axes[0].set_ylabel("output y[i]")
    bars = axes[1].bar(list(counts), list(counts.values()), color=["tab:gray", "tab:blue", "tab:red"])
    axes[1].bar_label(bars)
    axes[1].set_yscale("log")
    axes[1].set_title(f"weights from {N} inputs to {rows} outputs", fontsize=11)


show(as_matrix)

# %% [markdown]
# **Look for:** every row holds the kernel's three values, shifted one column to the right of
# the row above, and zeros elsewhere: each output is connected to 3 inputs only, and the
# 120 weights of a dense layer become 30 local ones, of which only 3 are different.

# %% [markdown]
# The lecture's "Scaling up MLPs": a 1-megapixel image (10⁶ inputs) into 10³ units, against
# a convolution layer of 64 kernels of 3×3 on the same image, whose count your `layer_table`
# gives (section 5) and which does not grow with the image.

# %%
def scaling_up(arch):
    dense = arch.dense_param_count(10**6, 10**3)
    (kind, shape, conv), = arch.layer_table((1, 1000, 1000), [("conv", 64, 3, 1, 1)])
    print(f"dense, 10⁶ inputs → 10³ units: {dense:,} parameters")
    print(f"conv, 64 kernels of 3×3 on (1, 1000, 1000) → {shape}: {conv:,} parameters")


show(scaling_up)

# %% [markdown]
# ## 4. Receptive fields
#
# A unit of a deeper layer sees a larger part of the input: through the layers before it, it
# has indirect interactions with most of the input. Each drawing is the 12×12 input, and the
# square of it that one unit (the top-left one) of the layer named in the title sees, by your
# `receptive_field` of the layers up to it; the squares of the earlier layers are outlined.

# %%
check("receptive_field")

# %% tags=["figure"]
STACK = [("conv", 8, 3, 1, 1), ("relu",), ("conv", 8, 3, 1, 1), ("relu",), ("pool", 2, 2),
         ("conv", 16, 3, 1, 1), ("relu",), ("pool", 2, 2)]
INPUT_SIDE = 12


def describe(layer):
    """'conv 3×3, S 1' for a layer tuple."""
    if layer[0] == "conv":
        return f"conv {layer[2]}×{layer[2]}, S {layer[4]}"
    return f"pool {layer[1]}×{layer[1]}, S {layer[2]}"


def receptive_fields(arch):
    ends = [k for k, layer in enumerate(STACK, start=1) if layer[0] != "relu"]
    sides = [arch.receptive_field(STACK[:k]) for k in ends]
    fig, axes = plt.subplots(1, len(ends), figsize=(4 * len(ends), 4.8))
    colours = plt.cm.viridis(np.linspace(0, 0.85, len(ends)))
    for number, (ax, k, side) in enumerate(zip(axes, ends, sides)):
        ax.imshow(np.ones((INPUT_SIDE, INPUT_SIDE)), cmap="gray", vmin=0, vmax=1)
        ax.set_xticks(np.arange(-0.5, INPUT_SIDE), minor=True)
        ax.set_yticks(np.arange(-0.5, INPUT_SIDE), minor=True)
        ax.grid(which="minor", color="lightgray", linewidth=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        for earlier in range(number):
            ax.add_patch(plt.Rectangle((-0.5, -0.5), sides[earlier], sides[earlier], fill=False,
                                       color=colours[earlier], linewidth=2))
        ax.add_patch(plt.Rectangle((-0.5, -0.5), side, side, alpha=0.6, color=colours[number]))
        ax.set_title(f"layer {k}: {describe(STACK[k - 1])}\nsees {side}×{side}", fontsize=11)


show(receptive_fields)

# %% [markdown]
# **Look for:** each 3×3 convolution adds 2 steps of the layer before it, so two of them see
# 5×5; after the stride-2 pool, a step is 2 input pixels, so the third convolution grows the
# square by 4 at once (6×6 to 10×10), and one unit of the last pool sees the whole 12×12
# input. The relu layers change nothing.

# %% [markdown]
# ## 5. Reading LeNet-5: the layer table
#
# Your `lenet5()` gives the layers, your `layer_table` their output shapes and parameter
# counts on a 32×32 grayscale input; the drawing puts one box per row of the table, in the
# order data flows through the network.

# %%
check("layer_table")

# %%
check("lenet5")

# %% tags=["figure"]
LENET_INPUT = (1, 32, 32)
KIND_COLOURS = {"conv": "lightskyblue", "relu": "gainsboro", "pool": "palegreen", "flatten": "khaki",
                "dense": "navajowhite"}
PER_LINE = 7  # boxes on one line of the drawing


def spell(layer):
    """A layer tuple in words: 'conv 6 × 5×5, P 0, S 1'."""
    if layer[0] == "conv":
        return f"conv {layer[1]} × {layer[2]}×{layer[2]}\nP {layer[3]}, S {layer[4]}"
    if layer[0] == "pool":
        return f"max pool {layer[1]}×{layer[1]}\nS {layer[2]}"
    if layer[0] == "dense":
        return f"dense {layer[1]}"
    return layer[0]


def lenet_drawing(arch):
    layers = arch.lenet5()
    rows = arch.layer_table(LENET_INPUT, layers)
    boxes = [("input", LENET_INPUT, 0, "white")]
    boxes += [(spell(layer), shape, params, KIND_COLOURS.get(kind, "white"))
              for layer, (kind, shape, params) in zip(layers, rows)]
    lines = -(-len(boxes) // PER_LINE)
    fig, ax = plt.subplots(figsize=(18, 3.6 * lines))
    for index, (text, shape, params, colour) in enumerate(boxes):
        x, y = 2.5 * (index % PER_LINE), -3.2 * (index // PER_LINE)
        ax.add_patch(plt.Rectangle((x, y), 2, 1.6, facecolor=colour, edgecolor="black"))
        ax.text(x + 1, y + 1.15, text, ha="center", va="center", fontsize=11)
        ax.text(x + 1, y + 0.3, str(tuple(shape)), ha="center", va="center", fontsize=11, family="monospace")
        if params:
            ax.text(x + 1, y - 0.35, f"{params:,} parameters", ha="center", va="center", fontsize=11,
                    weight="bold")
        if index % PER_LINE:
            ax.annotate("", (x, y + 0.8), (x - 0.5, y + 0.8), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(-0.2, 2.5 * PER_LINE)
    ax.set_ylim(-3.2 * (lines - 1) - 0.8, 1.8)
    ax.axis("off")
    total = sum(params for _, _, params in rows)
    ax.set_title(f"LeNet-5 on a {LENET_INPUT} input: {len(rows)} layers, {total:,} parameters in all "
                 f"(each line continues the one above)", fontsize=13)


show(lenet_drawing)

# %% [markdown]
# **Look for:** the shapes shrink as the depth grows, (1, 32, 32) to (6, 28, 28) to
# (16, 5, 5), flatten turns 16·5·5 into 400 values, relu, pool and flatten have no
# parameters, and the first dense layer holds 48,120 of the 61,706 parameters while the two
# convolution layers together hold only 2,572: the convolutions share their weights.
