namespace Amber.Benchmarks;

/// <summary>One conversation the read benchmarks read back.</summary>
/// <param name="Label">"small" (the median raw size) or "largest".</param>
/// <param name="Record">Where it came from (folder/file#index).</param>
/// <param name="ConversationId">Its conversation id.</param>
/// <param name="RawId">The content id of its raw record bytes.</param>
/// <param name="RawBytes">Size of the raw record.</param>
/// <param name="NodeBytes">Size of its stand-in node's canonical JSON.</param>
/// <param name="File">A plain file holding the same raw bytes (the File.ReadAllBytes baseline).</param>
public sealed record ReadTarget(string Label, string Record, string ConversationId, string RawId, long RawBytes, long NodeBytes, string File);
