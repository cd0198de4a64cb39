namespace Amber.Import.Watching;

/// <summary>A file's size and last write time (UTC ticks): what tells a watch that it changed.</summary>
public readonly record struct FileStamp(long Length, long WriteTicks)
{
    public static FileStamp? Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks) : null;
    }
}
