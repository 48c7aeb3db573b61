package gptkit.notebook;

import ai.djl.ndarray.NDArray;
import gptkit.i18n.I18n;
import gptkit.data.CharTokenizer;
import gptkit.plot.Charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Pictures the notebooks draw that are not x/y charts: a batch of characters with its shifted
 * targets, and a heat map (attention weights). Each returns a BufferedImage, which a notebook
 * shows inline when it is a cell's last expression or passed to display(...).
 */
public final class Pictures {
    private static final Font MONO = new Font(Font.MONOSPACED, Font.PLAIN, 15);
    // the charts' fonts: Noto Sans SC when the kit draws in Chinese (gptkit.i18n.I18n)
    private static Font label() {
        return Charts.font(Font.PLAIN, 13);
    }

    private static Font title() {
        return Charts.font(Font.BOLD, 15);
    }

    private static final String BATCH_TITLE = "x (inputs) above, y (targets) below: y[t] = x[t+1]";
    private static final String FOOTER = "\u00b7 is a space, \u21b5 a newline; equal colours are equal tokens";

    private Pictures() {}

    private static int textWidth(String s, Font f) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int w = g.getFontMetrics(f).stringWidth(s);
        g.dispose();
        return w;
    }

    /**
     * s in g's font, each character that font lacks in the JVM's sans-serif: Noto Sans SC (the
     * Chinese edition's font) has no U+21B5, the footer's return arrow, and would draw a box.
     */
    private static void drawWithFallback(Graphics2D g, String s, int x, int y) {
        Font main = g.getFont();
        Font other = new Font(Font.SANS_SERIF, main.getStyle(), main.getSize());
        int i = 0;
        while (i < s.length()) {
            boolean ok = main.canDisplay(s.codePointAt(i));
            int j = i;
            while (j < s.length() && main.canDisplay(s.codePointAt(j)) == ok) {
                j += Character.charCount(s.codePointAt(j));
            }
            Font f = ok ? main : other;
            g.setFont(f);
            g.drawString(s.substring(i, j), x, y);
            x += g.getFontMetrics(f).stringWidth(s.substring(i, j));
            i = j;
        }
        g.setFont(main);
    }

    /** A character as it can be seen: space as a middle dot, newline as a return arrow. */
    public static String visible(String ch) {
        switch (ch) {
            case " ": return "\u00b7";
            case "\n": return "\u21b5";
            case "\t": return "\u2192";
            default: return ch;
        }
    }

    /**
     * The first {@code rows} rows of a batch: each row of x above the same row of y, every
     * character in a cell coloured by its token id, and a line from x[t+1] down to y[t] to show
     * that the targets are the inputs shifted one place to the left.
     */
    public static BufferedImage batch(CharTokenizer tok, NDArray x, NDArray y, int rows) {
        long[] xs = x.toLongArray();
        long[] ys = y.toLongArray();
        int b = (int) x.getShape().get(0);
        int t = (int) x.getShape().get(1);
        rows = Math.min(rows, b);
        int cell = 22;
        int left = 44;
        int top = 34;
        int rowGap = 26;
        int rowH = 2 * cell + 14;
        String title = I18n.chart(BATCH_TITLE), footer = I18n.chart(FOOTER); // in the kit's language
        int w = Math.max(left + t * cell + 16, left + Math.max(textWidth(footer, label()), textWidth(title, title())) + 16);
        int h = top + rows * rowH + (rows - 1) * rowGap + 26;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img);
        g.setFont(title());
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, left, 20);
        for (int r = 0; r < rows; r++) {
            int y0 = top + r * (rowH + rowGap);
            int y1 = y0 + cell + 14;
            g.setFont(label());
            g.setColor(Color.DARK_GRAY);
            g.drawString("x[" + r + "]", 4, y0 + 16);
            g.drawString("y[" + r + "]", 4, y1 + 16);
            g.setStroke(new BasicStroke(1.2f));
            for (int i = 0; i + 1 < t; i++) { // x[t+1] -> y[t]
                g.setColor(new Color(150, 150, 150));
                g.drawLine(left + (i + 1) * cell + cell / 2, y0 + cell, left + i * cell + cell / 2, y1);
            }
            for (int i = 0; i < t; i++) {
                drawCell(g, tok, (int) xs[r * t + i], left + i * cell, y0, cell);
                drawCell(g, tok, (int) ys[r * t + i], left + i * cell, y1, cell);
            }
        }
        g.setFont(label());
        g.setColor(Color.GRAY);
        drawWithFallback(g, footer, left, h - 8);
        g.dispose();
        return img;
    }

    private static void drawCell(Graphics2D g, CharTokenizer tok, int id, int x, int y, int cell) {
        g.setColor(Color.getHSBColor((id * 0.61803398875f) % 1f, 0.28f, 1f));
        g.fillRect(x, y, cell, cell);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, cell, cell);
        g.setColor(Color.BLACK);
        g.setFont(MONO);
        String s = visible(tok.decode(new int[] {id}));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, x + (cell - fm.stringWidth(s)) / 2, y + cell - 6);
    }

    /**
     * A heat map of values in [0, max]: white for 0, dark blue for the largest value; row and
     * column labels (e.g. the characters of a sequence) along the sides.
     */
    public static BufferedImage heatmap(String title, double[][] values, String[] rowLabels, String[] colLabels) {
        title = I18n.chart(title);
        int rows = values.length;
        int cols = values[0].length;
        int cell = Math.max(8, Math.min(28, 560 / Math.max(rows, cols)));
        int left = 60;
        int top = 40;
        int legend = 70;
        int w = Math.max(left + cols * cell + legend + 20, left + textWidth(title, title()) + 20);
        int h = top + rows * cell + 44;
        double max = 0;
        for (double[] row : values) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img);
        g.setFont(title());
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, left, 22);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                g.setColor(shade(max == 0 ? 0 : values[r][c] / max));
                g.fillRect(left + c * cell, top + r * cell, cell, cell);
            }
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, cols * cell, rows * cell);
        g.setFont(cell >= 14 ? MONO : MONO.deriveFont(10f));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        for (int r = 0; rowLabels != null && r < rows; r++) {
            String s = visible(rowLabels[r]);
            g.drawString(s, left - 6 - fm.stringWidth(s), top + r * cell + (cell + fm.getAscent()) / 2 - 2);
        }
        for (int c = 0; colLabels != null && c < cols; c++) {
            String s = visible(colLabels[c]);
            g.drawString(s, left + c * cell + (cell - fm.stringWidth(s)) / 2, top + rows * cell + fm.getAscent() + 2);
        }
        // colour scale
        int lx = left + cols * cell + 24;
        int lh = Math.min(rows * cell, 200);
        for (int k = 0; k < lh; k++) {
            g.setColor(shade(1.0 - (double) k / (lh - 1)));
            g.fillRect(lx, top + k, 14, 1);
        }
        g.setColor(Color.GRAY);
        g.drawRect(lx, top, 14, lh);
        g.setFont(label());
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format("%.2g", max), lx + 18, top + 10);
        g.drawString("0", lx + 18, top + lh);
        g.dispose();
        return img;
    }

    private static Color shade(double f) {
        f = Math.max(0, Math.min(1, f));
        // white -> steel blue -> navy
        int r = (int) Math.round(255 - f * (255 - 8));
        int gg = (int) Math.round(255 - f * (255 - 48));
        int b = (int) Math.round(255 - f * (255 - 107));
        return new Color(r, gg, b);
    }

    private static Graphics2D start(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }
}
