using System.Text;
using Eddy.Web.Forms;
using static Eddy.Tests.Web.Forms.FormTesting;

namespace Eddy.Tests.Web.Forms;

/// <summary>
/// multipart/form-data bodies (RFC 7578, RFC 2046 §5.1): what is accepted, what is refused with
/// 400, how files are kept, and that nothing stays on disk afterwards.
/// </summary>
public class MultipartTests : TempDirectoryTest
{
    private const string Boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

    private FormLimits Limits(int threshold = 64 * 1024) => new() { TempDirectory = TempDirectory, MemoryBufferThreshold = threshold };

    /// <summary>Joins lines with CRLF, as the wire format wants.</summary>
    private static string Crlf(params string[] lines) => string.Join("\r\n", lines);

    private static string Field(string name, string value) => Crlf($"--{Boundary}", $"Content-Disposition: form-data; name=\"{name}\"", "", value);

    private static string File(string name, string fileName, string contentType, string content) =>
        Crlf($"--{Boundary}", $"Content-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"", $"Content-Type: {contentType}", "", content);

    private static string Close => $"\r\n--{Boundary}--\r\n";

    private Task<Form> ReadAsync(string body, FormLimits? limits = null, int pieceSize = int.MaxValue) =>
        FormReader.ReadMultipartAsync(new PieceStream(Bytes(body), pieceSize), Boundary, limits ?? Limits()).AsTask();

    private static string Contents(FormFile file)
    {
        using var stream = file.OpenRead();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task Fields_are_read_in_order_and_may_repeat()
    {
        await using var form = await ReadAsync(Field("a", "1") + "\r\n" + Field("tag", "x") + "\r\n" + Field("tag", "y") + Close);
        Assert.Equal("1", form.Fields["a"]);
        Assert.Equal(["x", "y"], form.Fields.GetAll("tag"));
        Assert.Empty(form.Files);
    }

    [Fact]
    public async Task Field_values_are_utf8_and_keep_their_bytes()
    {
        await using var form = await ReadAsync(Field("text", "caf\u00e9 \u20ac\r\nline two\r\n") + "\r\n" + Field("empty", "") + Close);
        Assert.Equal("caf\u00e9 \u20ac\r\nline two\r\n", form.Fields["text"]);
        Assert.Equal("", form.Fields["empty"]);
    }

    [Fact]
    public async Task A_small_file_stays_in_memory()
    {
        await using var form = await ReadAsync(Field("title", "t") + "\r\n" + File("upload", "notes.txt", "text/markdown", "# hello") + Close);
        var file = Assert.Single(form.Files);
        Assert.Equal("upload", file.Name);
        Assert.Equal("notes.txt", file.FileName);
        Assert.Equal("text/markdown", file.ContentType);
        Assert.Equal(7, file.Length);
        Assert.False(file.IsOnDisk);
        Assert.Equal("# hello", Contents(file));
        Assert.Same(file, form.GetFile("upload"));
        Assert.Null(form.GetFile("title"));
        Assert.Equal("t", form.Fields["title"]);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_file_over_the_threshold_goes_to_a_temp_file_deleted_on_dispose()
    {
        string content = new('z', 5000);
        var form = await ReadAsync(File("upload", "big.bin", "application/octet-stream", content) + Close, Limits(threshold: 1000), pieceSize: 333);
        var file = Assert.Single(form.Files);
        Assert.True(file.IsOnDisk);
        Assert.Equal(5000, file.Length);
        Assert.Single(FilesOnDisk);
        Assert.Equal(content, Contents(file));
        Assert.Equal(content, Contents(file)); // each OpenRead starts again

        string saved = Path.Combine(Path.GetTempPath(), "eddy-saved-" + Guid.NewGuid().ToString("N"));
        try
        {
            await file.SaveAsAsync(saved);
            Assert.Equal(content, System.IO.File.ReadAllText(saved));
        }
        finally
        {
            System.IO.File.Delete(saved);
        }

        await form.DisposeAsync();
        Assert.Empty(FilesOnDisk);
        Assert.Throws<ObjectDisposedException>(() => file.OpenRead());
        await form.DisposeAsync(); // twice is harmless
    }

    [Fact]
    public async Task A_file_at_exactly_the_threshold_stays_in_memory()
    {
        await using var form = await ReadAsync(File("f", "a", "x/y", new string('a', 100)) + Close, Limits(threshold: 100));
        Assert.False(form.Files[0].IsOnDisk);
        Assert.Equal(100, form.Files[0].Length);
    }

    [Fact]
    public async Task A_memory_file_can_be_saved()
    {
        await using var form = await ReadAsync(File("f", "a.txt", "text/plain", "saved") + Close);
        string saved = Path.Combine(TempDirectory, "copy.txt");
        await form.Files[0].SaveAsAsync(saved);
        Assert.Equal("saved", System.IO.File.ReadAllText(saved));
    }

    [Fact]
    public async Task Preamble_epilogue_and_transport_padding_are_ignored()
    {
        string body = "This is a preamble.\r\n--not-the-boundary\r\n" + Field("a", "1") + $"\r\n--{Boundary} \t\r\n" +
            Crlf("Content-Disposition: form-data; name=\"b\"", "", "2") + $"\r\n--{Boundary}--  trailing\r\nepilogue --{Boundary}\r\n";
        await using var form = await ReadAsync("\r\n" + body);
        Assert.Equal("1", form.Fields["a"]);
        Assert.Equal("2", form.Fields["b"]);
    }

    [Fact]
    public async Task Close_delimiter_without_final_crlf_is_accepted()
    {
        await using var form = await ReadAsync(Field("a", "1") + $"\r\n--{Boundary}--");
        Assert.Equal("1", form.Fields["a"]);
    }

    [Fact]
    public async Task A_form_with_no_parts_is_empty()
    {
        await using var form = await ReadAsync($"--{Boundary}--\r\n");
        Assert.Empty(form.Fields);
        Assert.Empty(form.Files);
    }

    [Fact]
    public async Task Content_resembling_the_boundary_is_data()
    {
        string tricky = $"--{Boundary}\r\n-{Boundary}\r\n--{Boundary[..^1]}\r\n\r\n--\r\n";
        await using var form = await ReadAsync(Field("a", tricky) + Close);
        Assert.Equal(tricky, form.Fields["a"]);
    }

    [Fact]
    public async Task Header_names_are_case_insensitive_and_other_headers_ignored()
    {
        string body = Crlf($"--{Boundary}", "content-disposition: FORM-DATA; NAME=\"f\"; FileName=\"x.txt\"", "X-Other: 1", "CONTENT-TYPE: image/png", "", "png") + Close;
        await using var form = await ReadAsync(body);
        Assert.Equal("x.txt", form.Files[0].FileName);
        Assert.Equal("image/png", form.Files[0].ContentType);
    }

    [Fact]
    public async Task A_file_without_content_type_is_text_plain()
    {
        string body = Crlf($"--{Boundary}", "Content-Disposition: form-data; name=\"f\"; filename=\"x\"", "", "data") + Close;
        await using var form = await ReadAsync(body);
        Assert.Equal("text/plain", form.Files[0].ContentType);
    }

    [Fact]
    public async Task An_empty_filename_is_still_a_file()
    {
        // What browsers send for a file input left empty.
        await using var form = await ReadAsync(File("f", "", "application/octet-stream", "") + Close);
        var file = Assert.Single(form.Files);
        Assert.Equal("", file.FileName);
        Assert.Equal(0, file.Length);
        Assert.False(form.Fields.Contains("f"));
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\\\x\\\\y.txt", "y.txt")]
    [InlineData("C:\\x\\y.txt", "y.txt")]
    [InlineData("/abs/path/z.png", "z.png")]
    [InlineData("dir/", "")]
    [InlineData("..", "")]
    [InlineData("a/..", "")]
    [InlineData("  spaced.txt  ", "spaced.txt")]
    [InlineData("bell\u0007.txt", "bell.txt")]
    [InlineData("quote\\\"d.txt", "quote\"d.txt")]
    [InlineData("r\u00e9sum\u00e9.pdf", "r\u00e9sum\u00e9.pdf")]
    public async Task File_names_are_reduced_to_their_last_segment(string sent, string expected)
    {
        await using var form = await ReadAsync(File("f", sent, "text/plain", "x") + Close);
        Assert.Equal(expected, form.Files[0].FileName);
    }

    [Theory]
    [InlineData("filename=\"plain.txt\"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt", "na\u00efve \u20ac.txt")]
    [InlineData("filename*=utf-8'en'..%2F..%2Fx.txt", "x.txt")]
    [InlineData("filename*=ISO-8859-1''caf%E9.txt", "caf\u00e9.txt")]
    [InlineData("filename=\"fallback.txt\"; filename*=UTF-8''bad%C3.txt", "fallback.txt")]
    [InlineData("filename=\"fallback.txt\"; filename*=KOI8-R''x.txt", "fallback.txt")]
    [InlineData("filename=\"fallback.txt\"; filename*=no-quotes", "fallback.txt")]
    [InlineData("filename=\"fallback.txt\"; filename*=UTF-8''%zz", "fallback.txt")]
    [InlineData("filename=unquoted.txt", "unquoted.txt")]
    public async Task Extended_file_names_take_precedence_when_valid(string parameters, string expected)
    {
        string body = Crlf($"--{Boundary}", $"Content-Disposition: form-data; name=\"f\"; {parameters}", "", "x") + Close;
        await using var form = await ReadAsync(body);
        Assert.Equal(expected, form.Files[0].FileName);
    }

    // Malformed bodies: each answered 400 with a message saying what is wrong.
    public static TheoryData<string, string> Malformed => new()
    {
        { "no boundary at all", "just some text" },
        { "empty body", "" },
        { "wrong boundary", "--other\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--other--" },
        { "ends inside content", Field("a", "unfinished") },
        { "ends inside headers", $"--{Boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n" },
        { "ends after a boundary", $"--{Boundary}" },
        { "garbage after the boundary", $"--{Boundary}X\r\n" + Crlf("Content-Disposition: form-data; name=\"a\"", "", "1") + Close },
        { "bare LF after the boundary", $"--{Boundary}\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1" + Close },
        { "no Content-Disposition", Crlf($"--{Boundary}", "Content-Type: text/plain", "", "1") + Close },
        { "no headers at all", Crlf($"--{Boundary}", "", "1") + Close },
        { "attachment, not form-data", Crlf($"--{Boundary}", "Content-Disposition: attachment; name=\"a\"", "", "1") + Close },
        { "no name", Crlf($"--{Boundary}", "Content-Disposition: form-data; filename=\"a.txt\"", "", "1") + Close },
        { "unterminated quote", Crlf($"--{Boundary}", "Content-Disposition: form-data; name=\"a", "", "1") + Close },
        { "parameter without =", Crlf($"--{Boundary}", "Content-Disposition: form-data; name", "", "1") + Close },
        { "header without colon", Crlf($"--{Boundary}", "Content-Disposition: form-data; name=\"a\"", "Bogus", "", "1") + Close },
        { "header with empty name", Crlf($"--{Boundary}", ": x", "Content-Disposition: form-data; name=\"a\"", "", "1") + Close },
        { "space in header name", Crlf($"--{Boundary}", "Content Disposition: form-data; name=\"a\"", "", "1") + Close },
        { "folded header", Crlf($"--{Boundary}", "Content-Disposition: form-data;", " name=\"a\"", "", "1") + Close },
        { "bare LF inside headers", Crlf($"--{Boundary}", "Content-Disposition: form-data; name=\"a\"\nX: y", "", "1") + Close },
        { "two Content-Disposition headers", Crlf($"--{Boundary}", "Content-Disposition: form-data; name=\"a\"", "Content-Disposition: form-data; name=\"b\"", "", "1") + Close },
    };

    [Theory, MemberData(nameof(Malformed))]
    public async Task Malformed_bodies_are_400(string why, string body)
    {
        var e = await AssertBadRequestAsync(400, () => ReadAsync(body));
        Assert.False(string.IsNullOrWhiteSpace(e.Message), why);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_malformed_part_after_a_file_on_disk_leaves_nothing_on_disk()
    {
        string body = File("big", "a.bin", "x/y", new string('a', 5000)) + "\r\n" + Crlf($"--{Boundary}", "Content-Type: text/plain", "", "1") + Close;
        await AssertBadRequestAsync(400, () => ReadAsync(body, Limits(threshold: 10)));
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_body_cut_off_inside_a_file_on_disk_leaves_nothing_on_disk()
    {
        await AssertBadRequestAsync(400, () => ReadAsync(File("big", "a.bin", "x/y", new string('a', 5000)), Limits(threshold: 10), pieceSize: 100));
        Assert.Empty(FilesOnDisk);
    }

    // Limits: each answered 413 naming the FormLimits property, with nothing left on disk.

    [Fact]
    public async Task A_body_over_MaxMultipartBodyLength_is_413_and_leaves_nothing_on_disk()
    {
        string body = File("a", "a.bin", "x/y", new string('a', 3000)) + "\r\n" + File("b", "b.bin", "x/y", new string('b', 20_000)) + Close;
        var e = await AssertBadRequestAsync(413, () => ReadAsync(body, new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 100, MaxMultipartBodyLength = 15_000 }, pieceSize: 1000));
        Assert.Contains("FormLimits.MaxMultipartBodyLength (15,000 bytes)", e.Message);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_body_at_MaxMultipartBodyLength_is_accepted()
    {
        string body = Field("a", "1") + Close;
        await using var form = await ReadAsync(body, new FormLimits { TempDirectory = TempDirectory, MaxMultipartBodyLength = Bytes(body).Length });
        Assert.Equal("1", form.Fields["a"]);
    }

    [Fact]
    public async Task A_file_over_MaxFileSize_is_413_and_leaves_nothing_on_disk()
    {
        string body = File("ok", "ok.bin", "x/y", new string('o', 2000)) + "\r\n" + File("big", "big.bin", "x/y", new string('b', 10_000)) + Close;
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 100, MaxFileSize = 5000 };
        var e = await AssertBadRequestAsync(413, () => ReadAsync(body, limits, pieceSize: 512));
        Assert.Contains("FormLimits.MaxFileSize (5,000 bytes)", e.Message);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_file_at_MaxFileSize_is_accepted()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 100, MaxFileSize = 5000 };
        await using var form = await ReadAsync(File("f", "f.bin", "x/y", new string('b', 5000)) + Close, limits);
        Assert.Equal(5000, form.Files[0].Length);
    }

    [Fact]
    public async Task A_field_over_MaxValueLength_is_413()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 100, MaxValueLength = 1000 };
        await using (await ReadAsync(Field("a", new string('a', 1000)) + Close, limits)) { }
        string body = File("f", "f.bin", "x/y", new string('b', 3000)) + "\r\n" + Field("a", new string('a', 1001)) + Close;
        var e = await AssertBadRequestAsync(413, () => ReadAsync(body, limits, pieceSize: 64));
        Assert.Contains("FormLimits.MaxValueLength (1,000 bytes)", e.Message);
        Assert.Contains("\"a\"", e.Message);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_field_name_over_MaxKeyLength_is_413()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 0, MaxKeyLength = 4 };
        await using (await ReadAsync(Field("abcd", "1") + Close, limits)) { }
        string body = File("f", "f", "x/y", "data") + "\r\n" + Field("abcde", "1") + Close;
        var e = await AssertBadRequestAsync(413, () => ReadAsync(body, limits));
        Assert.Contains("FormLimits.MaxKeyLength (4 bytes)", e.Message);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_header_section_over_MaxPartHeaderSize_is_413()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 10, MaxPartHeaderSize = 200 };
        string padding = "X-Pad: " + new string('p', 300);
        string body = File("f", "f.bin", "x/y", new string('b', 3000)) + "\r\n" + Crlf($"--{Boundary}", "Content-Disposition: form-data; name=\"a\"", padding, "", "1") + Close;
        var e = await AssertBadRequestAsync(413, () => ReadAsync(body, limits, pieceSize: 50));
        Assert.Contains("FormLimits.MaxPartHeaderSize (200 bytes)", e.Message);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_header_section_that_never_ends_is_413_not_buffered()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MaxPartHeaderSize = 200 };
        var body = new PieceStream(Bytes($"--{Boundary}\r\nX: " + new string('h', 1_000_000)), pieceSize: 100);
        await AssertBadRequestAsync(413, () => FormReader.ReadMultipartAsync(body, Boundary, limits).AsTask());
        Assert.True(body.BytesRead < 100_000);
    }

    [Fact]
    public async Task A_header_section_at_MaxPartHeaderSize_is_accepted()
    {
        string headers = "Content-Disposition: form-data; name=\"a\"\r\n\r\n";
        var limits = new FormLimits { TempDirectory = TempDirectory, MaxPartHeaderSize = Bytes(headers).Length };
        await using var form = await ReadAsync($"--{Boundary}\r\n" + headers + "1" + Close, limits);
        Assert.Equal("1", form.Fields["a"]);
        await AssertBadRequestAsync(413, () => ReadAsync($"--{Boundary}\r\n" + headers + "1" + Close, new FormLimits { TempDirectory = TempDirectory, MaxPartHeaderSize = Bytes(headers).Length - 1 }));
    }

    [Fact]
    public async Task Parts_over_MaxFieldCount_are_413_counting_files()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 0, MaxFieldCount = 2 };
        await using (await ReadAsync(File("f", "f", "x/y", "data") + "\r\n" + Field("a", "1") + Close, limits)) { }
        Assert.Empty(FilesOnDisk);
        string body = File("f", "f", "x/y", "data") + "\r\n" + File("g", "g", "x/y", "data") + "\r\n" + Field("a", "1") + Close;
        var e = await AssertBadRequestAsync(413, () => ReadAsync(body, limits));
        Assert.Contains("FormLimits.MaxFieldCount (2)", e.Message);
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task Cancellation_midway_leaves_nothing_on_disk()
    {
        using var cts = new CancellationTokenSource();
        string body = File("a", "a.bin", "x/y", new string('a', 4000)) + "\r\n" + File("b", "b.bin", "x/y", new string('b', 4000)) + Close;
        var stream = new PieceStream(Bytes(body), pieceSize: 500) { CancelAt = (6000, cts) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FormReader.ReadMultipartAsync(stream, Boundary, Limits(threshold: 100), cts.Token).AsTask());
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_client_disconnect_midway_leaves_nothing_on_disk()
    {
        string body = File("a", "a.bin", "x/y", new string('a', 4000)) + "\r\n" + File("b", "b.bin", "x/y", new string('b', 4000)) + Close;
        var stream = new PieceStream(Bytes(body), pieceSize: 500) { FailAt = 6000 };
        await Assert.ThrowsAsync<IOException>(() => FormReader.ReadMultipartAsync(stream, Boundary, Limits(threshold: 100)).AsTask());
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task An_invalid_boundary_argument_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => FormReader.ReadMultipartAsync(new PieceStream([]), "").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => FormReader.ReadMultipartAsync(new PieceStream([]), new string('b', 71)).AsTask());
    }

    [Fact]
    public async Task A_small_body_split_at_every_byte_boundary_parses_the_same()
    {
        string body = "pre\r\n" + Field("a", "1\r\n-") + "\r\n" + File("f", "d/x.txt", "text/plain", "file\r\n--") + "\r\n" +
            Field("b", "") + Close + "epilogue";
        var data = Bytes(body);
        foreach (int threshold in new[] { 64 * 1024, 0 })
        {
            var limits = Limits(threshold);
            for (int i = 0; i <= data.Length; i++)
            {
                // Two splits for the in-memory case; one for the on-disk case, which creates a file per parse.
                for (int j = i; j <= data.Length; j += threshold == 0 ? data.Length + 1 : 7)
                {
                    await using var form = await FormReader.ReadMultipartAsync(new PieceStream(data, splits: [i, j]), Boundary, limits);
                    AssertExpected(form, threshold);
                }
            }
            await using var byteByByte = await FormReader.ReadMultipartAsync(new PieceStream(data, pieceSize: 1), Boundary, limits);
            AssertExpected(byteByByte, threshold);
        }
        Assert.Empty(FilesOnDisk);

        static void AssertExpected(Form form, int threshold)
        {
            Assert.Equal("1\r\n-", form.Fields["a"]);
            Assert.Equal("", form.Fields["b"]);
            Assert.Equal(2, form.Fields.Count);
            var file = Assert.Single(form.Files);
            Assert.Equal("x.txt", file.FileName);
            Assert.Equal("file\r\n--", Contents(file));
            Assert.Equal(threshold == 0, file.IsOnDisk);
        }
    }

    [Fact]
    public async Task ReadAsync_dispatches_on_the_content_type()
    {
        await using (var form = await FormReader.ReadAsync(new PieceStream(Bytes("a=1")), "application/x-www-form-urlencoded; charset=utf-8"))
            Assert.Equal("1", form.Fields["a"]);
        await using (var form = await FormReader.ReadAsync(new PieceStream(Bytes(Field("a", "2") + Close)), $"Multipart/Form-Data; boundary=\"{Boundary}\"", Limits()))
            Assert.Equal("2", form.Fields["a"]);
    }

    [Fact]
    public async Task ReadAsync_refuses_a_multipart_type_without_a_boundary_with_400()
    {
        var e = await AssertBadRequestAsync(400, async () => await FormReader.ReadAsync(new PieceStream([]), "multipart/form-data"));
        Assert.Contains("boundary", e.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("multipart/mixed; boundary=x")]
    public async Task ReadAsync_refuses_other_types_with_415(string? contentType)
    {
        var e = await AssertBadRequestAsync(415, async () => await FormReader.ReadAsync(new PieceStream([]), contentType));
        Assert.Contains("application/x-www-form-urlencoded or multipart/form-data", e.Message);
    }
}
