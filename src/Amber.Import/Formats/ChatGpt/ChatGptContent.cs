using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Import.Formats.ChatGpt;

/// <summary>
/// One message's content, mapped: the blocks, the content fields the blocks do not carry (kept in the
/// node's meta), the multimodal parts that became blobs or text (kept whole in meta), extra flags, and
/// the asset bytes the blob blocks point at.
/// </summary>
internal sealed record ChatGptContent(
    IReadOnlyList<ContentBlock> Blocks,
    JsonObject? Rest,
    JsonArray? Parts,
    IReadOnlyList<string> Flags,
    IReadOnlyList<ChatGptAsset> Assets);
