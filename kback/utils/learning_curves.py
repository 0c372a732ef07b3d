"""Learning curves from a Keras History: one panel per quantity (loss,
accuracy, ...), training and validation curves per epoch, written to a PNG.

```python
from kback.utils import plot_history
history = model.fit(x, y, validation_data=(x_val, y_val), epochs=5)
plot_history(history, 'history.png')
```

matplotlib (optional: `pip install 'kback[plot]'`) draws the chart when it is
installed; otherwise Pillow (a kback dependency) draws a plain one of the same
size, so a PNG is always written.
"""
import math

PANEL_SIZE = (500, 400)   # pixels per panel; the PNG is (500 * panels) x 400
TRAIN_COLOR, VAL_COLOR = (31, 119, 180), (255, 127, 14)


def _panels(logs):
    """[(name, train values, validation values or None)], loss first."""
    names = [k for k in logs if not k.startswith('val_')]
    names.sort(key=lambda k: k != 'loss')
    if not names:
        raise ValueError('plot_history: the history has no per-epoch values; keys: %s'
                         % sorted(logs))
    return [(k, list(logs[k]), list(logs['val_' + k]) if 'val_' + k in logs else None)
            for k in names]


def plot_history(history, path='history.png', title=None, renderer=None):
    """Draws the learning curves of `history` into the PNG `path`: one panel
    per metric, training and validation values per epoch.

    Arguments:
        history: a History callback (what `fit` returns) or its `.history` dict.
        path: the PNG file to write.
        title: a title above the panels (None: none).
        renderer: 'matplotlib', 'pillow', or None to use matplotlib when it
            can be imported, else Pillow.

    Returns:
        The name of the renderer used, 'matplotlib' or 'pillow'.

    Raises:
        TypeError: `history` is neither a History nor a dict of lists.
        ImportError: `renderer='matplotlib'` without matplotlib.
    """
    logs = getattr(history, 'history', history)
    if not isinstance(logs, dict):
        raise TypeError('plot_history: expected a History or a dict of lists, got %s'
                        % type(history).__name__)
    panels = _panels(logs)
    if renderer is None:
        try:
            _matplotlib_modules()
            renderer = 'matplotlib'
        except ImportError:
            renderer = 'pillow'
    if renderer == 'matplotlib':
        try:
            _matplotlib_modules()
        except ImportError as e:
            raise ImportError("plot_history(renderer='matplotlib') needs matplotlib: "
                              "pip install 'kback[plot]' (renderer=None or 'pillow' draws "
                              "with Pillow instead)") from e
        _draw_matplotlib(panels, path, title)
    elif renderer == 'pillow':
        _draw_pillow(panels, path, title)
    else:
        raise ValueError("plot_history: renderer must be None, 'matplotlib' or 'pillow', "
                         "got %r" % (renderer,))
    return renderer


def _matplotlib_modules():
    # The object-oriented API with the Agg canvas: no pyplot state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    return Figure, FigureCanvasAgg


def _draw_matplotlib(panels, path, title):
    Figure, FigureCanvasAgg = _matplotlib_modules()
    dpi = 100
    fig = Figure(figsize=(PANEL_SIZE[0] * len(panels) / dpi, PANEL_SIZE[1] / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    for i, (name, train, val) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        epochs = range(1, len(train) + 1)
        ax.plot(epochs, train, 'o-', color=[c / 255 for c in TRAIN_COLOR], label='train')
        if val is not None:
            ax.plot(range(1, len(val) + 1), val, 'o-',
                    color=[c / 255 for c in VAL_COLOR], label='validation')
        ax.set_title(name)
        ax.set_xlabel('epoch')
        ax.grid(True, alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)


# --- Pillow fallback ----------------------------------------------------------

def _font(size):
    from PIL import ImageFont
    try:
        return ImageFont.load_default(size=size)   # scalable font, Pillow >= 10.1
    except TypeError:
        return ImageFont.load_default()


def _nice_ticks(lo, hi, most=6):
    """Round tick values covering [lo, hi]: steps of 1, 2 or 5 x 10^k."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi - lo < 1e-12:
        pad = abs(lo) * 0.1 or 0.5
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / (most - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    while not ticks or ticks[-1] < hi - 1e-9 * step:
        ticks.append(first + len(ticks) * step)
    return ticks, step


def _fmt(value, step):
    decimals = max(0, -math.floor(math.log10(step)))
    return '%.*f' % (decimals, value)


def _legend(draw, curves, lines, box, font):
    """A legend in the corner of the plot area that hides the least of the curves
    (`lines`: each curve's points in pixels)."""
    x0, y0, x1, y1 = box
    w, h = 118, 20 + 18 * (len(curves) - 1)
    # the points of each segment too, not only the markers
    dense = [(ax + (bx - ax) * t / 8, ay + (by - ay) * t / 8) for points in lines
             for (ax, ay), (bx, by) in zip(points, points[1:]) for t in range(9)]
    dense += [p for points in lines for p in points]
    corners = [(x1 - w - 1, y0 + 1), (x1 - w - 1, y1 - h - 1),
               (x0 + 1, y0 + 1), (x0 + 1, y1 - h - 1)]
    lx, ly = min(corners, key=lambda c: sum(c[0] - 4 <= x <= c[0] + w + 4 and
                                            c[1] - 4 <= y <= c[1] + h + 4 for x, y in dense))
    draw.rectangle([lx, ly, lx + w, ly + h], fill='white', outline=(200, 200, 200))
    for k, (_, color, label) in enumerate(curves):
        y = ly + 10 + 18 * k
        draw.line([(lx + 8, y), (lx + 33, y)], fill=color, width=3)
        draw.text((lx + 40, y), label, fill='black', font=font, anchor='lm')


def _draw_pillow(panels, path, title):
    from PIL import Image, ImageDraw
    width, height = PANEL_SIZE[0] * len(panels), PANEL_SIZE[1]
    image = Image.new('RGB', (width, height), 'white')
    draw = ImageDraw.Draw(image)
    small, big = _font(12), _font(15)
    top = 50 if title else 35
    if title:
        draw.text((width // 2, 8), title, fill='black', font=big, anchor='ma')
    for i, (name, train, val) in enumerate(panels):
        x0 = i * PANEL_SIZE[0] + 65                     # plot area inside the panel
        x1, y0, y1 = (i + 1) * PANEL_SIZE[0] - 20, top, height - 50
        curves = [(train, TRAIN_COLOR, 'train')]
        if val is not None:
            curves.append((val, VAL_COLOR, 'validation'))
        values = [v for c, _, _ in curves for v in c if math.isfinite(v)]
        ticks, step = _nice_ticks(min(values, default=0.0), max(values, default=1.0))
        lo, hi = ticks[0], ticks[-1]
        n = max(len(c) for c, _, _ in curves)

        def px(epoch, value):
            fx = (epoch - 1) / (n - 1) if n > 1 else 0.5
            return x0 + 12 + fx * (x1 - x0 - 24), y1 - (value - lo) / (hi - lo) * (y1 - y0)

        draw.text(((x0 + x1) // 2, top - 25), name, fill='black', font=big, anchor='ma')
        for t in ticks:                                   # y grid and labels
            y = px(1, t)[1]
            draw.line([(x0, y), (x1, y)], fill=(225, 225, 225))
            draw.text((x0 - 6, y), _fmt(t, step), fill='black', font=small, anchor='rm')
        every = max(1, math.ceil(n / 10))
        for epoch in range(1, n + 1, every):              # x ticks at whole epochs
            x = px(epoch, lo)[0]
            draw.line([(x, y1), (x, y1 + 4)], fill='black')
            draw.text((x, y1 + 7), str(epoch), fill='black', font=small, anchor='ma')
        draw.text(((x0 + x1) // 2, height - 22), 'epoch', fill='black', font=small,
                  anchor='ma')
        draw.rectangle([x0, y0, x1, y1], outline='black')
        for values_, color, _ in curves:
            points = [px(e + 1, v) for e, v in enumerate(values_) if math.isfinite(v)]
            if len(points) > 1:
                draw.line(points, fill=color, width=2)
            for x, y in points:
                draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=color)
        _legend(draw, curves, [[px(e + 1, v) for e, v in enumerate(c) if math.isfinite(v)]
                               for c, _, _ in curves], (x0, y0, x1, y1), small)
    image.save(path, format='PNG')
