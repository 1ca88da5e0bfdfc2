using System.Text;
using Eddy.Web.Cookies;

namespace Eddy.Tests.Web.Cookies;

/// <summary>Signed cookies: round trips, and every way a signed value is refused.</summary>
public class CookieSignerTests
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly byte[] OldKey = Encoding.ASCII.GetBytes("an older key, retired but honoured");
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly ManualTime _time = new();

    private CookieSigner Signer(params byte[][] keys) => new(keys.Length == 0 ? [Key] : keys, _time);

    [Theory]
    [InlineData("42")]
    [InlineData("")]
    [InlineData("user=ann; role=admin, \"quoted\" \\ caf\u00e9 \u20ac \U0001F600")]
    public void A_signed_value_verifies_and_round_trips(string value)
    {
        var signer = Signer();
        string signed = signer.Sign("session", value);
        Assert.True(signer.TryVerify("session", signed, Day, out var verified));
        Assert.Equal(value, verified);
    }

    [Fact]
    public void A_signed_value_can_be_sent_as_a_cookie()
    {
        string signed = Signer().Sign("session", "caf\u00e9; \"x\"");
        Assert.StartsWith("session=" + signed, SetCookie.Format("session", signed));
        Assert.Equal(signed, Eddy.Web.Cookies.CookieHeader.Parse("session=" + signed)["session"]);
    }

    [Fact]
    public void A_value_signed_for_another_name_is_refused()
    {
        var signer = Signer();
        Assert.False(signer.TryVerify("admin", signer.Sign("session", "1"), Day, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void Names_that_differ_only_around_a_separator_do_not_collide()
    {
        var signer = Signer();
        Assert.False(signer.TryVerify("a|1", signer.Sign("a", "1"), Day, out _));
        Assert.False(signer.TryVerify("a", signer.Sign("a|1", "1"), Day, out _));
    }

    [Fact]
    public void Every_single_character_change_is_refused()
    {
        var signer = Signer();
        string signed = signer.Sign("session", "user-42");
        for (int i = 0; i < signed.Length; i++)
        {
            foreach (char replacement in "0Aa_|-")
            {
                if (signed[i] == replacement) continue;
                string tampered = signed[..i] + replacement + signed[(i + 1)..];
                Assert.False(signer.TryVerify("session", tampered, Day, out _), $"accepted {tampered}");
            }
        }
    }

    [Fact]
    public void A_value_swapped_from_another_signed_cookie_is_refused()
    {
        var signer = Signer();
        string[] mine = signer.Sign("session", "user").Split('|');
        string[] other = signer.Sign("session", "admin").Split('|');
        _time.Now += TimeSpan.FromSeconds(1);
        string[] later = signer.Sign("session", "user").Split('|');
        Assert.False(signer.TryVerify("session", string.Join('|', mine[0], mine[1], other[2], mine[3]), Day, out _));
        Assert.False(signer.TryVerify("session", string.Join('|', mine[0], later[1], mine[2], mine[3]), Day, out _));
    }

    [Fact]
    public void A_value_signed_with_an_unknown_key_is_refused()
    {
        string signed = Signer(OldKey).Sign("session", "1");
        Assert.False(Signer(Key).TryVerify("session", signed, Day, out _));
    }

    [Fact]
    public void Rotation_keeps_old_signatures_valid_and_signs_with_the_newest_key()
    {
        string signedBefore = Signer(OldKey).Sign("session", "before");
        var rotated = Signer(Key, OldKey);
        Assert.True(rotated.TryVerify("session", signedBefore, Day, out var value));
        Assert.Equal("before", value);

        string signedAfter = rotated.Sign("session", "after");
        Assert.True(Signer(Key).TryVerify("session", signedAfter, Day, out value));
        Assert.False(Signer(OldKey).TryVerify("session", signedAfter, Day, out _));
    }

    [Fact]
    public void Age_up_to_max_age_is_accepted_and_older_refused()
    {
        var signer = Signer();
        string signed = signer.Sign("session", "1");
        _time.Now += Day;
        Assert.True(signer.TryVerify("session", signed, Day, out _));
        _time.Now += TimeSpan.FromSeconds(1);
        Assert.False(signer.TryVerify("session", signed, Day, out _));
    }

    [Fact]
    public void A_timestamp_in_the_future_is_accepted_only_within_the_clock_skew()
    {
        var signer = Signer();
        string signed = signer.Sign("session", "1");
        _time.Now -= TimeSpan.FromMinutes(5);
        Assert.True(signer.TryVerify("session", signed, Day, out _));
        _time.Now -= TimeSpan.FromSeconds(1);
        Assert.False(signer.TryVerify("session", signed, Day, out _));
        var strict = new CookieSigner(Key, _time) { AllowedClockSkew = TimeSpan.Zero };
        Assert.False(strict.TryVerify("session", signed, Day, out _));
    }

    public static TheoryData<string?> Hostile => new()
    {
        null, "", "1", "1|", "1|||", "1||x|y", "2|1700000000|MQ|" + new string('A', 43),
        "1|-1|MQ|" + new string('A', 43), "1|+1|MQ|" + new string('A', 43), "1| 1|MQ|" + new string('A', 43),
        "1|99999999999999999999|MQ|" + new string('A', 43), "1|1700000000|M Q|" + new string('A', 43),
        "1|1700000000|MQ|" + new string('A', 42), "1|1700000000|MQ|" + new string('A', 44), "1|1700000000|MQ|" + new string('=', 43),
        "1|1700000000|MQ|" + new string('A', 43) + "|extra", "1|1700000000|caf\u00e9|" + new string('A', 43),
        "1|1700000000|" + new string('A', 100_000) + "|" + new string('A', 43), "\0\uffff\ud800",
    };

    [Theory, MemberData(nameof(Hostile))]
    public void Hostile_input_is_refused_without_throwing(string? signed)
    {
        Assert.False(Signer().TryVerify("session", signed, Day, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void Random_input_is_refused_without_throwing()
    {
        var signer = Signer();
        var random = new Random(99);
        string alphabet = "1|0123456789ABCxyz-_=+/ \u00e9";
        for (int i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (int j = 0; j < chars.Length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            Assert.False(signer.TryVerify("session", new string(chars), Day, out _));
        }
    }

    [Fact]
    public void Keys_shorter_than_32_bytes_are_refused_with_the_fix()
    {
        var e = Assert.Throws<ArgumentException>(() => new CookieSigner(new byte[31]));
        Assert.Contains("31 bytes", e.Message);
        Assert.Contains("RandomNumberGenerator.GetBytes(32)", e.Message);
        Assert.Throws<ArgumentException>(() => new CookieSigner([Key, new byte[8]]));
        Assert.Throws<ArgumentException>(() => new CookieSigner(Array.Empty<byte[]>()));
        Assert.Throws<ArgumentException>(() => new CookieSigner([null!]));
    }

    [Fact]
    public void The_signer_keeps_its_own_copy_of_the_keys()
    {
        byte[] key = (byte[])Key.Clone();
        var signer = new CookieSigner(key, _time);
        string signed = signer.Sign("session", "1");
        Array.Clear(key);
        Assert.True(signer.TryVerify("session", signed, Day, out _));
    }

    [Fact]
    public void A_negative_max_age_is_a_programming_error() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Signer().TryVerify("session", "x", TimeSpan.FromSeconds(-1), out _));

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
