namespace Amber.Viewer.Html;

/// <summary>Closes the element <see cref="HtmlWriter.Tag"/> opened, at the end of a using block.</summary>
public readonly struct HtmlScope : IDisposable
{
    private readonly HtmlWriter writer;
    private readonly string tag;

    internal HtmlScope(HtmlWriter writer, string tag)
    {
        this.writer = writer;
        this.tag = tag;
    }

    public void Dispose() => writer.Close(tag);
}
