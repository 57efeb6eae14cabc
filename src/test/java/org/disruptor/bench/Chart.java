package org.disruptor.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A small line chart written as PNG: one or more named series of (x, y) points. */
final class Chart {

  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd)};
  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final Map<String, List<double[]>> series = new LinkedHashMap<>();

  Chart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  Chart series(String name, List<double[]> points) {
    series.put(name, points);
    return this;
  }

  /** A cumulative distribution of {@code samples} as a series. */
  static List<double[]> cdf(List<Double> samples) {
    List<Double> sorted = samples.stream().sorted().toList();
    java.util.ArrayList<double[]> points = new java.util.ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      points.add(new double[] {sorted.get(i), (i + 1) * 100.0 / sorted.size()});
    }
    return points;
  }

  void write(Path file) throws IOException {
    int w = 800;
    int h = 480;
    int left = 80;
    int right = 200;
    int top = 50;
    int bottom = 60;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double maxY = 0;
    for (List<double[]> points : series.values()) {
      for (double[] p : points) {
        minX = Math.min(minX, p[0]);
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    if (minX == maxX) {
      maxX = minX + 1;
    }
    minX = Math.min(0, minX);
    maxY = maxY <= 0 ? 1 : maxY * 1.1;
    int plotW = w - left - right;
    int plotH = h - top - bottom;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, left, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawLine(left, top + plotH, left + plotW, top + plotH);
    g.drawLine(left, top, left, top + plotH);
    for (int i = 0; i <= 5; i++) {
      double xv = minX + (maxX - minX) * i / 5;
      double yv = maxY * i / 5;
      int x = left + plotW * i / 5;
      int y = top + plotH - plotH * i / 5;
      g.setColor(new Color(0xdddddd));
      g.drawLine(left + 1, y, left + plotW, y);
      g.setColor(Color.BLACK);
      g.drawString(Stats.fmt(xv), x - 10, top + plotH + 18);
      g.drawString(Stats.fmt(yv), left - 50, y + 4);
    }
    g.drawString(xLabel, left + plotW / 2 - 40, h - 15);
    g.drawString(yLabel, 10, top - 10);
    int k = 0;
    for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
      Color color = COLORS[k % COLORS.length];
      g.setColor(color);
      g.setStroke(new BasicStroke(2f));
      int[] prev = null;
      for (double[] p : entry.getValue()) {
        int x = left + (int) ((p[0] - minX) / (maxX - minX) * plotW);
        int y = top + plotH - (int) (p[1] / maxY * plotH);
        if (prev != null) {
          g.drawLine(prev[0], prev[1], x, y);
        }
        g.fillOval(x - 3, y - 3, 6, 6);
        prev = new int[] {x, y};
      }
      g.fillRect(left + plotW + 20, top + 20 * k, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(entry.getKey(), left + plotW + 38, top + 20 * k + 11);
      k++;
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }
}
