using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>Reasoning the model showed (or a redacted/encrypted placeholder with its signature).</summary>
public sealed record ThinkingBlock(string Text, string? Signature = null, bool Redacted = false) : ContentBlock
{
    public const string Kind = "thinking";

    public override string Type => Kind;

    public override string? SearchText => Text;

    public override JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = Kind, ["text"] = Text };
        JsonFields.SetIf(o, "signature", Signature);
        if (Redacted)
        {
            o["redacted"] = true;
        }

        return o;
    }
}
