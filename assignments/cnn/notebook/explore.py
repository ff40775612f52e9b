# %% [markdown]
# # See your convolutions at work
#
# This notebook draws what **your own** functions in `cnn.py` do to a striped image and to a
# photograph, and checks each function with its public tests. It is for understanding, not
# for submitting: Gradescope grades `cnn.py` only.
#
# - Run all cells (*Run → Run All Cells*) at any stage of the homework. A figure that needs a
#   function you have not written yet is skipped with a one-line note.
# - Edit `cnn.py` in your editor, save, and run a cell again: every `check(...)` and every
#   figure reads your `cnn.py` afresh, without restarting the kernel.
# - `check("conv2d")` runs the public tests of `conv2d` and prints what `pytest` would say.
#
# You need `pip install numpy pytest hypothesis matplotlib jupyter`, and this notebook in the
# folder of your `cnn.py`, with the other files of the release.
#
# The photograph (`camera.npy`) is scikit-image's "camera" image by Lav Varshney, released
# under CC0 (public domain), reduced to 128×128 grey levels: see `camera-LICENSE.txt`.

# %%
import numpy as np
import matplotlib.pyplot as plt

from autograder_local import Explorer

explorer = Explorer("cnn.py")
check, show = explorer.check, explorer.show

PHOTO = np.load("camera.npy") / 255.0  # 128×128 grey levels in [0, 1]
VERTICAL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]) / 4  # left minus right
HORIZONTAL = VERTICAL.T  # top minus bottom
BLUR = np.ones((5, 5)) / 25  # the mean of a 5×5 window
plt.rcParams.update({"figure.dpi": 72, "image.interpolation": "nearest"})


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
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=9, color=ink)
    ax.set_title(title, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


def size(values):
    """'8×7' for an array of shape (8, 7)."""
    return "×".join(str(n) for n in np.shape(values))


# %% [markdown]
# ## 1. Edges in a striped image
#
# The lecture's 8×8 image: white (1) at the left and right, a black (0) stripe in the
# middle. The kernel K = [1 −1] takes the difference of two horizontal neighbours; its
# transpose, of two vertical neighbours.

# %%
check("cross_correlate2d")

# %% tags=["figure"]
STRIPES = np.ones((8, 8))
STRIPES[:, 2:6] = 0.0
K = np.array([[1.0, -1.0]])


def stripes(cnn):
    across, down = cnn.cross_correlate2d(STRIPES, K), cnn.cross_correlate2d(STRIPES, K.T)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.5))
    heatmap(axes[0], STRIPES, f"image, {size(STRIPES)}", numbers=True)
    heatmap(axes[1], across, f"with K = [1 −1]: {size(across)}", numbers=True, signed=True)
    heatmap(axes[2], down, f"with K transposed: {size(down)}", numbers=True, signed=True)


show(stripes)

# %% [markdown]
# **Look for:** K marks the two vertical edges, +1 where white turns black and −1 where
# black turns white, in an output one column narrower (8×7); its transpose finds nothing,
# since nothing changes from one row to the next.

# %% [markdown]
# ## 2. A photograph through `conv2d`
#
# Three 2-D kernels on the photograph: a vertical-edge detector (left minus right, the
# Sobel kernel), its transpose for horizontal edges, and a 5×5 blur. Each is used with the
# padding that keeps the size: 1 for 3×3, 2 for 5×5.

# %%
check("zero_pad")

# %%
check("conv2d")

# %% tags=["figure"]
def photo_through_conv2d(cnn):
    vertical = cnn.conv2d(PHOTO, VERTICAL, padding=1)
    horizontal = cnn.conv2d(PHOTO, HORIZONTAL, padding=1)
    blurred = cnn.conv2d(PHOTO, BLUR, padding=2)
    fig, axes = plt.subplots(1, 4, figsize=(16, 4.6))
    heatmap(axes[0], PHOTO, f"photograph, {size(PHOTO)}")
    heatmap(axes[1], vertical, f"vertical edges, {size(vertical)}", signed=True)
    heatmap(axes[2], horizontal, f"horizontal edges, {size(horizontal)}", signed=True)
    heatmap(axes[3], blurred, f"5×5 blur, {size(blurred)}")


show(photo_through_conv2d)

# %% [markdown]
# **Look for:** the vertical-edge map lights up the tripod's legs and the man's outline
# (red where the left side is brighter, blue where the right is), the horizontal one the
# horizon and the man's head and shoulders, the blur keeps the shapes but loses the details,
# and the lines along the borders are the zero padding meeting the bright sky and grass.

# %% [markdown]
# ## 3. One stage, several kernels: `conv_stage`
#
# A convolution stage applies N_k kernels to the same input at once and stacks their
# outputs: here four 3×3 kernels over the one-channel photograph give four feature maps.

# %%
check("conv_stage")

# %% tags=["figure"]
DIAGONAL = np.array([[2.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, -2.0]]) / 4
SPOT = np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]]) / 8
BANK = np.stack([VERTICAL, HORIZONTAL, DIAGONAL, SPOT])[:, None]  # (N_k, D_in, F, F) = (4, 1, 3, 3)
BANK_NAMES = ["vertical", "horizontal", "diagonal", "spot"]


def one_stage(cnn):
    maps = cnn.conv_stage(PHOTO[None], BANK, np.zeros(4), padding=1)
    fig, axes = plt.subplots(2, 4, figsize=(16, 8.5), height_ratios=[1, 2.2])
    for k, name in enumerate(BANK_NAMES):
        heatmap(axes[0, k], BANK[k, 0], f"kernel {k}: {name}", numbers=True, signed=True)
        heatmap(axes[1, k], maps[k], f"map {k}, {size(maps[k])}", signed=True)
    fig.suptitle(f"conv_stage: input {size(PHOTO[None])}, kernels {size(BANK)}, output {size(maps)}")


show(one_stage)

# %% [markdown]
# **Look for:** one call gives a (4, 128, 128) stack, one map per kernel (D_out = N_k), and
# each map picks out its own kind of structure in the same photograph; the spot kernel
# answers to small bright or dark details and to no smooth region.

# %% [markdown]
# ## 4. ReLU and pooling
#
# The detector stage (ReLU) keeps the positive responses; pooling then summarises each 4×4
# window by its maximum, its mean or its L2 norm (the square root of its sum of squares).

# %%
check("relu")

# %%
check("pool2d")

# %% tags=["figure"]
def relu_and_pooling(cnn):
    maps = cnn.conv_stage(PHOTO[None], BANK[:2], np.zeros(2), padding=1)
    fig, axes = plt.subplots(2, 5, figsize=(18, 8))
    for row, name in enumerate(BANK_NAMES[:2]):
        detected = cnn.relu(maps[row])
        panels = [
            (maps[row], f"{name} map, {size(maps[row])}", True),
            (detected, "after ReLU", False),
            (cnn.pool2d(detected, 4, mode="max"), "max pool 4×4", False),
            (cnn.pool2d(detected, 4, mode="avg"), "average pool 4×4", False),
            (cnn.pool2d(detected, 4, mode="l2"), "L2 pool 4×4", False),
        ]
        for ax, (values, title, signed) in zip(axes[row], panels):
            heatmap(ax, values, f"{title}: {size(values)}" if ax is not axes[row, 0] else title, signed=signed)


show(relu_and_pooling)

# %% [markdown]
# **Look for:** ReLU turns the blue half of each map black (only one direction of each edge
# is left), and each pooling shrinks the map to 32×32: max pooling keeps every edge at full
# strength, average pooling dims the thin ones, and L2 pooling lies in between.

# %%
check("conv_layer")

# %% tags=["figure"]
def whole_layer(cnn):
    out = cnn.conv_layer(PHOTO[None], BANK, np.full(4, -0.05), padding=1, pool_size=2)
    fig, axes = plt.subplots(1, 4, figsize=(16, 4.6))
    for k, name in enumerate(BANK_NAMES):
        heatmap(axes[k], out[k], f"{name}: {size(out[k])}")
    fig.suptitle(f"conv_layer: convolution (bias −0.05), ReLU, 2×2 max pooling: output {size(out)}")


show(whole_layer)

# %% [markdown]
# **Look for:** the whole layer in one call gives four 64×64 maps, and the bias of −0.05
# silences the weakest responses, so the sky and the grass go black.

# %% [markdown]
# ## 5. Shifting the input
#
# Convolution is translation equivariant: shift the image and the feature map shifts with
# it. Max pooling adds some invariance: a one-pixel shift changes its output much less than
# the detector maps it pools.

# %% tags=["figure"]
def shifted(x, pixels):
    """x moved right by pixels, with black coming in at the left."""
    out = np.zeros_like(x)
    out[:, pixels:] = x[:, : x.shape[1] - pixels]
    return out


def equivariance(cnn):
    map_then_shift = shifted(cnn.conv2d(PHOTO, VERTICAL, padding=1), 8)
    shift_then_map = cnn.conv2d(shifted(PHOTO, 8), VERTICAL, padding=1)
    gap = np.abs(map_then_shift - shift_then_map)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.8))
    heatmap(axes[0], map_then_shift, "map of the photo, then shifted 8 px", signed=True)
    heatmap(axes[1], shift_then_map, "map of the photo shifted 8 px", signed=True)
    heatmap(axes[2], gap, f"difference, largest off the borders: {gap[:, 9:-1].max():.2g}")


show(equivariance)

# %% [markdown]
# **Look for:** the two maps are the same picture, and their difference is black (0) except
# at the left border, where the shift brought in black pixels, and at the right border, where
# the zero padding meets other pixels of the photograph.

# %% tags=["figure"]
def pooling_tolerance(cnn):
    def detector(x):
        return cnn.relu(cnn.conv2d(x, VERTICAL, padding=1))

    rows = [("detector map", detector), ("3×3 max pool, stride 1", lambda x: cnn.pool2d(detector(x), 3, stride=1))]
    fig, axes = plt.subplots(2, 3, figsize=(13, 9))
    for row, (name, layer) in enumerate(rows):
        before, after = layer(PHOTO), layer(shifted(PHOTO, 1))
        change = np.abs(after - before).sum() / np.abs(before).sum()
        heatmap(axes[row, 0], before, name)
        heatmap(axes[row, 1], after, f"{name}, input shifted 1 px")
        heatmap(axes[row, 2], np.abs(after - before), f"change: {change:.0%} of the map's total")


show(pooling_tolerance)

# %% [markdown]
# **Look for:** shifting the photograph by one pixel changes the detector map about as much
# as the map itself weighs (thin edges move off their pixels), but changes the max-pooled
# map far less, because a window's maximum usually stays inside the same window.

# %% [markdown]
# ## 6. Stride and padding
#
# Along an axis of length N, a kernel of size F with padding P and stride S has
# floor((N + 2P − F) / S) + 1 positions. Each drawing shows a 7×7 input (white) with its
# padding (grey), one dot at the centre of every window position of a 3×3 kernel, and the
# first and last windows outlined.

# %%
check("conv_output_size")

# %% tags=["figure"]
SETTINGS = [(0, 1), (1, 1), (0, 2), (1, 2), (2, 3)]  # (padding, stride)


def window_positions(cnn, n=7, f=3):
    fig, axes = plt.subplots(1, len(SETTINGS), figsize=(4 * len(SETTINGS), 4.6))
    for ax, (padding, stride) in zip(axes, SETTINGS):
        out = cnn.conv_output_size(n, f, padding=padding, stride=stride)
        side = n + 2 * padding
        grid = np.full((side, side), 0.75)
        grid[padding:padding + n, padding:padding + n] = 1.0
        ax.imshow(grid, cmap="gray", vmin=0, vmax=1)
        ax.set_xticks(np.arange(-0.5, side), minor=True)
        ax.set_yticks(np.arange(-0.5, side), minor=True)
        ax.grid(which="minor", color="black", linewidth=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        starts = stride * np.arange(out)
        rows, columns = np.meshgrid(starts + (f - 1) / 2, starts + (f - 1) / 2, indexing="ij")
        ax.plot(columns.ravel(), rows.ravel(), "o", color="tab:red")
        for start, colour in [(0, "tab:blue"), (starts[-1], "tab:orange")]:
            ax.add_patch(plt.Rectangle((start - 0.5, start - 0.5), f, f, fill=False, color=colour, linewidth=3))
        ax.set_title(f"P = {padding}, S = {stride}: output {out}×{out}")


show(window_positions)

# %% [markdown]
# **Look for:** padding 1 brings back the two positions a 3×3 kernel loses at the border
# (7×7 out of 7×7), a stride of 2 keeps every other position, and a window that would stick
# out past the padding is dropped: with P = 2 and S = 3, (7 + 4 − 3) / 3 = 2.67 rounds down
# to 2, so 3 windows fit along each axis and the last two rows and columns are never read.

# %% [markdown]
# ## 7. Shapes and parameter counts
#
# The stage of section 3 read a (1, 128, 128) photograph with four 3×3 kernels and padding
# 1. The same kernels on a colour photograph would each span its three channels.

# %%
check("conv_output_shape")

# %%
check("conv_param_count")

# %%
def sizes(cnn):
    for depth in (1, 3):
        shape = cnn.conv_output_shape((depth, 128, 128), n_k=4, f=3, padding=1)
        count = cnn.conv_param_count(depth, 3, 4)
        print(f"input ({depth}, 128, 128) → output {shape}, with {count} parameters")


show(sizes)
