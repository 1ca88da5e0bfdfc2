using Eddy.Web.Forms;

namespace Eddy.Tests.Web.Forms;

/// <summary>The limits' defaults (ASP.NET Core's FormOptions) and what they refuse to be set to.</summary>
public class FormLimitsTests
{
    [Fact]
    public void Defaults_are_ASP_NET_Cores()
    {
        var limits = FormLimits.Default;
        Assert.Equal(1024, limits.MaxFieldCount);
        Assert.Equal(2048, limits.MaxKeyLength);
        Assert.Equal(4 * 1024 * 1024, limits.MaxValueLength);
        Assert.Equal(128L * 1024 * 1024, limits.MaxMultipartBodyLength);
        Assert.Equal(128L * 1024 * 1024, limits.MaxUrlEncodedBodyLength);
        Assert.Equal(16 * 1024, limits.MaxPartHeaderSize);
        Assert.Equal(64 * 1024, limits.MemoryBufferThreshold);
        Assert.Null(limits.MaxFileSize);
        Assert.Equal(Path.GetTempPath(), limits.TempDirectory);
    }

    [Fact]
    public void Limits_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MaxFieldCount = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MaxKeyLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MaxValueLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MaxMultipartBodyLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MaxUrlEncodedBodyLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MaxPartHeaderSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MaxFileSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormLimits { MemoryBufferThreshold = -1 });
        Assert.Throws<ArgumentException>(() => new FormLimits { TempDirectory = "" });
        Assert.Equal(0, new FormLimits { MemoryBufferThreshold = 0 }.MemoryBufferThreshold);
        Assert.Null(new FormLimits { MaxFileSize = null }.MaxFileSize);
    }
}
