namespace Amber.Import;

/// <summary>
/// What a format's files look like, written once per format: a sentence for messages (`--format X` on the
/// wrong shape, a file no format recognizes) and the top-level keys of its first record that tell it apart.
/// </summary>
/// <param name="Description">The expected shape, for people ("a JSON array of conversations with …").</param>
/// <param name="InArray">True when records sit in one JSON array, false for JSON Lines (or one object), null for either.</param>
/// <param name="Keys">Keys of the first record that the format expects; the closest formats share most of them.</param>
public sealed record FormatShape(string Description, bool? InArray, IReadOnlyList<string> Keys);
