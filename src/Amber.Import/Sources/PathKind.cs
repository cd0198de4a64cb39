namespace Amber.Import.Sources;

/// <summary>What a path names, as lstat sees it (a link is not followed).</summary>
internal enum PathKind
{
    Missing,
    Regular,
    Directory,
    Symlink,

    /// <summary>A FIFO, socket or device: opening or reading it can block or never end.</summary>
    Special,
}
