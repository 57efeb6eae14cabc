package org.disruptor.sandbox;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Numbers written as JavaScript writes them: ECMAScript's Number::toString, and JSON.stringify's null. */
public final class JsNumbers {

  private static final double EXACT_LONGS = 9007199254740992d; // 2^53: every integer below is a double

  private JsNumbers() {
  }

  /** A double as JSON.stringify writes it: Number::toString, NaN and the infinities as {@code null}. */
  public static String json(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "null";
    }
    if (value == 0) {
      return "0";
    }
    if (value == Math.rint(value) && Math.abs(value) < EXACT_LONGS) {
      return Long.toString((long) value);
    }
    Decimal d = shortest(Math.abs(value));
    String digits = d.digits();
    int k = digits.length();
    int n = d.exponent();
    StringBuilder out = new StringBuilder(k + 8).append(value < 0 ? "-" : "");
    if (k <= n && n <= 21) {
      out.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(n - 1 >= 0 ? "+" : "-").append(Math.abs(n - 1));
    }
    return out.toString();
  }

  /** Significant digits (no leading or trailing zeros) and n, the value being 0.digits x 10^n. */
  private record Decimal(String digits, int exponent) {
  }

  /**
   * The fewest significant digits that read back as {@code value}, the closest such if several (ECMAScript's
   * rule). Java's Double.toString gives the shortest too, except that it never gives fewer than two digits:
   * only such a two-digit answer is checked for a one-digit one.
   */
  private static Decimal shortest(double value) {
    String text = Double.toString(value);
    int e = text.indexOf('E');
    int exponent = e < 0 ? 0 : Integer.parseInt(text.substring(e + 1));
    String mantissa = e < 0 ? text : text.substring(0, e);
    int dot = mantissa.indexOf('.');
    String all = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
    int point = dot + exponent; // digits before the decimal point in `all`
    int lead = 0;
    while (lead < all.length() - 1 && all.charAt(lead) == '0') {
      lead++;
    }
    int end = all.length();
    while (end > lead + 1 && all.charAt(end - 1) == '0') {
      end--;
    }
    Decimal d = new Decimal(all.substring(lead, end), point - lead);
    if (d.digits().length() == 2) {
      BigDecimal one = new BigDecimal(value).round(new MathContext(1, RoundingMode.HALF_EVEN));
      if (one.doubleValue() == value) {
        BigDecimal stripped = one.stripTrailingZeros();
        String digits = stripped.unscaledValue().toString();
        return new Decimal(digits, digits.length() - stripped.scale());
      }
    }
    return d;
  }
}
