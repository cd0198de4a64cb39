namespace Amber.Import;

/// <summary>A file of an export folder that was not opened, and why (a link leading out of it, a FIFO, a device…).</summary>
public sealed record SkippedFile(string Path, string Reason);
