using System.Globalization;
using Eddy.Http;

namespace Eddy.Web.Forms;

/// <summary>The exceptions form parsing throws: 400 for malformed input, 413 for a limit passed.</summary>
internal static class FormErrors
{
    public static BadHttpRequestException Malformed(string message) => new(400, message);

    /// <summary>413 naming the <see cref="FormLimits"/> property, its value and the fix.</summary>
    public static BadHttpRequestException OverLimit(string what, string limitName, long limit) =>
        new(413, $"{what} exceeds FormLimits.{limitName} ({Size(limitName, limit)}); raise FormLimits.{limitName} if such requests are expected.");

    public static BadHttpRequestException TooManyFields(string source, int limit) =>
        new(413, $"The {source} has more than FormLimits.MaxFieldCount ({limit.ToString("N0", CultureInfo.InvariantCulture)}) fields; raise FormLimits.MaxFieldCount if such requests are expected.");

    private static string Size(string limitName, long value)
    {
        if (limitName == nameof(FormLimits.MaxFieldCount)) return value.ToString("N0", CultureInfo.InvariantCulture);
        if (value >= 1024 * 1024 && value % (1024 * 1024) == 0) return $"{value / (1024 * 1024)} MiB";
        if (value >= 1024 && value % 1024 == 0) return $"{value / 1024} KiB";
        return value.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
    }
}
