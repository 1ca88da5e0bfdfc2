namespace Eddy.Web.Forms;

/// <summary>
/// A parsed form: its fields and, for multipart forms, its files. Dispose it (<c>await using</c>)
/// to delete the temporary files of large uploads; the fields stay readable afterwards.
/// </summary>
public sealed class Form : IAsyncDisposable, IDisposable
{
    /// <summary>A form with no fields and no files.</summary>
    public static Form Empty { get; } = new(Parameters.Empty, []);

    internal Form(Parameters fields, IReadOnlyList<FormFile> files)
    {
        Fields = fields;
        Files = files;
    }

    /// <summary>The fields that are not files, in the order sent.</summary>
    public Parameters Fields { get; }

    /// <summary>The uploaded files, in the order sent (empty for a urlencoded form).</summary>
    public IReadOnlyList<FormFile> Files { get; }

    /// <summary>The first file sent under field <paramref name="name"/> (case-sensitive), or null.</summary>
    /// <param name="name">The form field's name.</param>
    public FormFile? GetFile(string name)
    {
        foreach (var file in Files)
        {
            if (file.Name == name) return file;
        }
        return null;
    }

    /// <summary>Deletes the temporary files; safe to call more than once.</summary>
    public void Dispose()
    {
        foreach (var file in Files) file.Delete();
    }

    /// <summary>Deletes the temporary files; safe to call more than once.</summary>
    /// <returns>A completed task: deleting is synchronous.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
