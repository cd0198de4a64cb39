using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>Plain or Markdown text.</summary>
public sealed record TextBlock(string Text) : ContentBlock
{
    public const string Kind = "text";

    public override string Type => Kind;

    public override string? SearchText => Text;

    public override JsonObject ToJson() => new() { ["type"] = Kind, ["text"] = Text };
}
