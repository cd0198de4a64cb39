namespace Amber.Viewer.Html;

/// <summary>
/// HTML that is safe to write as is: produced by <see cref="HtmlWriter"/> or by the sanitizing Markdown
/// renderer, never from a plain string. The constructor is internal so content cannot become markup by accident.
/// </summary>
public readonly record struct SafeHtml
{
    internal SafeHtml(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value ?? string.Empty;
}
