namespace Amber.Import;

/// <summary>One file to import: a file on disk or an entry of a zip export, with access to its sibling files (assets).</summary>
public sealed class ImportInput
{
    private readonly Func<Stream> open;
    private readonly Func<string, byte[]?> sibling;
    private readonly Func<IReadOnlyList<string>> siblings;

    public ImportInput(string name, long length, Func<Stream> open, Func<string, byte[]?>? sibling = null, Func<IReadOnlyList<string>>? siblings = null, string? localPath = null)
    {
        Name = name;
        Length = length;
        this.open = open;
        this.sibling = sibling ?? (_ => null);
        this.siblings = siblings ?? (() => []);
        LocalPath = localPath;
    }

    /// <summary>The path shown in messages: a file path, or ZIP!entry.</summary>
    public string Name { get; }

    /// <summary>The file name alone (the entry's name inside a zip).</summary>
    public string FileName => System.IO.Path.GetFileName(Name.Replace('!', '/'));

    public long Length { get; }

    /// <summary>A path on disk when the input is a plain file (SQLite databases need one).</summary>
    public string? LocalPath { get; }

    public Stream Open() => open();

    /// <summary>The bytes of a file beside this one (same folder or zip), by relative path or file name; null if absent.</summary>
    public byte[]? ReadSibling(string relativePath) => sibling(relativePath);

    /// <summary>Relative paths of the files beside this one (for asset lookup by prefix).</summary>
    public IReadOnlyList<string> Siblings => siblings();
}
