using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.GeminiTakeout;

/// <summary>
/// Gemini Apps activity from Google Takeout (<c>Takeout/My Activity/Gemini Apps/MyActivity.json</c>): an array of
/// activity records {header: "Gemini Apps", title: "Prompted …", time, safeHtmlItem: [{html}], subtitles,
/// attachedFiles, imageFile, products, activityControls}, newest first. The records name no conversation, so they
/// are grouped by time: in time order, a record more than <see cref="Gap"/> after the one before it starts a new
/// conversation.
/// </summary>
public sealed class GeminiTakeoutFormat : IConversationFormat
{
    public const string FormatName = "gemini-takeout";

    public const string SourceName = "gemini-apps";

    /// <summary>The pause that ends a conversation: the longest gap inside one of the sample's sessions is far below it, a new topic mostly comes after hours.</summary>
    public static readonly TimeSpan Gap = TimeSpan.FromMinutes(30);

    /// <summary>The summary's note for every conversation made by the grouping rule.</summary>
    public const string GroupingNote = "grouped from activity records by time (over 30 minutes between two records starts a new conversation)";

    /// <summary>The summary's note for a conversation naming files (uploads, generated images) that are not beside the activity file.</summary>
    public const string FilesNotFoundNote = "named files not found beside the activity file (kept as names in the nodes' meta)";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "Gemini Apps activity from Google Takeout (My Activity/Gemini Apps/MyActivity.json): an array of {\"header\": \"Gemini Apps\", \"title\", \"time\", \"safeHtmlItem\", \"products\"}",
        true,
        ["header", "title", "time", "safeHtmlItem", "products", "activityControls"]);

    /// <summary>A Takeout activity array whose first record's header is Gemini's (Bard's before 2024) is specific; tried before the dataset shapes.</summary>
    public int DetectionOrder => 27;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { InArray: true } shape
            && shape.StringPrefix("header") is "Gemini Apps" or "Bard"
            && shape.Has("title")
            && shape.Has("time");

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
        => GeminiTakeoutMapper.Map(input, cancellationToken);
}
