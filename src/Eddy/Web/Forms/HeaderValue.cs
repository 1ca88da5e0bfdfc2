using System.Text;

namespace Eddy.Web.Forms;

/// <summary>
/// Splits a header value with parameters ("form-data; name=\"a\"; filename=b.txt",
/// "multipart/form-data; boundary=x") into its leading value and its parameters (RFC 9110 §5.6.6).
/// </summary>
/// <remarks>
/// In a quoted-string only \" and \\ are escapes; any other backslash is kept, because browsers
/// do not escape backslashes in file names (HTML's multipart/form-data encoding algorithm
/// percent-encodes '"' instead), and old clients send Windows paths ("C:\x\y.txt") as they are.
/// </remarks>
internal static class HeaderValue
{
    /// <returns>False when the parameters are not well formed (a missing '=', an unterminated quote).</returns>
    public static bool TryParse(string header, out string value, out List<KeyValuePair<string, string>> parameters)
    {
        parameters = [];
        int semicolon = header.IndexOf(';');
        value = (semicolon < 0 ? header : header[..semicolon]).Trim(' ', '\t');
        if (semicolon < 0) return true;
        int i = semicolon;
        var text = new StringBuilder();
        while (i < header.Length)
        {
            // At a ';' (or the end); then one parameter.
            if (header[i] != ';') return false;
            i = SkipWhitespace(header, i + 1);
            if (i == header.Length) return true; // a trailing ';' is harmless
            if (header[i] == ';') continue;
            int nameStart = i;
            while (i < header.Length && header[i] is not ('=' or ';' or ' ' or '\t')) i++;
            string name = header[nameStart..i];
            i = SkipWhitespace(header, i);
            if (name.Length == 0 || i == header.Length || header[i] != '=') return false;
            i = SkipWhitespace(header, i + 1);
            string parameterValue;
            if (i < header.Length && header[i] == '"')
            {
                text.Clear();
                i++;
                while (true)
                {
                    if (i == header.Length) return false; // unterminated quoted-string
                    char c = header[i++];
                    if (c == '"') break;
                    if (c == '\\' && i < header.Length && header[i] is '"' or '\\') c = header[i++];
                    text.Append(c);
                }
                parameterValue = text.ToString();
            }
            else
            {
                int valueStart = i;
                while (i < header.Length && header[i] != ';') i++;
                parameterValue = header[valueStart..i].TrimEnd(' ', '\t');
            }
            parameters.Add(new(name, parameterValue));
            i = SkipWhitespace(header, i);
        }
        return true;
    }

    /// <summary>The value of parameter <paramref name="name"/> (names are case-insensitive), or null.</summary>
    public static string? Get(List<KeyValuePair<string, string>> parameters, string name)
    {
        foreach (var parameter in parameters)
        {
            if (string.Equals(parameter.Key, name, StringComparison.OrdinalIgnoreCase)) return parameter.Value;
        }
        return null;
    }

    private static int SkipWhitespace(string s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
        return i;
    }
}
