using System.Globalization;
using System.Text;

namespace HvMirror.ServiceDefaults;

/// <summary>
/// Marks a failure an operator expects (an upstream's 404 or 5xx, a checksum mismatch, a refused url): it is logged as one
/// line with its message, never with its stack trace, because the message already says what failed and what happens next.
/// </summary>
public interface IExpectedFailure;

/// <summary>Text bound for a log line or a terminal, made safe when parts of it come from elsewhere (an upstream's names).</summary>
public static class OperatorText
{
    /// <summary>
    /// Escapes every control character (ESC, CR, LF, TAB, DEL, the C1 range, the Unicode line and paragraph separators)
    /// as <c>\e</c>, <c>\r</c>, <c>\n</c>, <c>\t</c> or <c>\uXXXX</c>, so that an upstream's name can neither start a line
    /// of its own (forging a log entry) nor send the terminal escape sequences. A backslash is left alone: names are
    /// shown as they are, and the escapes only ever stand for characters that are not printable.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(NeedsEscape)) return text ?? "";
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!NeedsEscape(c)) escaped.Append(c);
            else escaped.Append(c switch
            {
                '\u001b' => @"\e",
                '\r' => @"\r",
                '\n' => @"\n",
                '\t' => @"\t",
                _ => @"\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
