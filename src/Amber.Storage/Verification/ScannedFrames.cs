using System.Collections.Concurrent;
using System.Globalization;
using Amber.Storage.Format;
using Amber.Storage.Index;

namespace Amber.Storage.Verification;

/// <summary>
/// The frames the segment scan has read and decoded, passed in file order to the index audit on the other thread, so
/// each frame is read and decoded once (the audit used to replay the segments through its own reads). Bounded: the scan
/// waits when the audit falls behind, and stops handing over once the audit has what it needs.
/// </summary>
internal sealed class ScannedFrames : IDisposable
{
    private readonly BlockingCollection<ScannedFrame> queue = new(boundedCapacity: 256);
    private readonly CancellationTokenSource abandoned = new();

    /// <summary>The scan's side: hands over one frame, unless the audit no longer reads them.</summary>
    public void Add(ScannedFrame frame)
    {
        if (abandoned.IsCancellationRequested)
        {
            return;
        }

        try
        {
            queue.Add(frame, abandoned.Token);
        }
        catch (OperationCanceledException)
        {
            // The audit stopped reading while the scan waited for room.
        }
    }

    /// <summary>The scan's side: nothing more follows.</summary>
    public void Complete() => queue.CompleteAdding();

    /// <summary>The audit's side: it reads no more (the scan need not wait for it).</summary>
    public void Abandon() => abandoned.Cancel();

    /// <summary>
    /// The audit's side: derives into <paramref name="into"/> the index rows of the frames handed over, up to
    /// <paramref name="position"/>, exactly as <see cref="Archive.Replay"/> would read them (the same rule,
    /// <see cref="IndexRowDeriver"/>). False, with the rows incomplete, when the frames handed over are not exactly those
    /// (a segment missing or damaged, a frame that does not decode, …): the audit then lets Replay read the segments
    /// itself, so a fault says what it said before.
    /// </summary>
    /// <param name="archive">The archive the frames are from.</param>
    /// <param name="into">The rows derived in memory.</param>
    /// <param name="position">Where the live index's position says it has read up to.</param>
    /// <param name="waited">Time spent waiting for the scan to hand over a frame (the bench's <c>verify --phases</c>).</param>
    public bool TryDerive(Archive archive, ExpectedRows into, (uint Segment, long Offset) position, out TimeSpan waited)
    {
        var time = archive.Options.TimeProvider;
        long waitTicks = 0;
        IEnumerable<ScannedFrame> Timed()
        {
            using var e = queue.GetConsumingEnumerable().GetEnumerator();
            while (true)
            {
                var t = time.GetTimestamp();
                var more = e.MoveNext();
                waitTicks += time.GetTimestamp() - t;
                if (!more)
                {
                    yield break;
                }

                yield return e.Current;
            }
        }

        var reached = false;
        var models = new Dictionary<string, Amber.Core.Model.ModelReference>(StringComparer.Ordinal);
        try
        {
            var (seg, pos, length, finished) = (1u, (long)SegmentHeader.Size, -1L, false);
            bool Reached() => (seg == position.Segment && pos == position.Offset)
                || (position.Segment == seg + 1 && position.Offset == SegmentHeader.Size && (finished || pos == length));
            foreach (var f in Timed())
            {
                if (Reached())
                {
                    reached = true;
                    break;
                }

                if (f.Kind is ScannedFrame.Kinds.Damaged or ScannedFrame.Kinds.Skipped)
                {
                    break;
                }

                if (f.Segment != seg)
                {
                    if (f.Segment != seg + 1 || !(finished || pos == length) || seg >= position.Segment)
                    {
                        break;
                    }

                    (seg, pos, finished) = (f.Segment, SegmentHeader.Size, false);
                }

                length = f.SegmentLength;
                if (finished || f.Offset != pos)
                {
                    break;
                }

                if (f.Kind == ScannedFrame.Kinds.Footer)
                {
                    // Replay reads no further in a segment once it meets the footer.
                    (pos, finished) = (seg == position.Segment ? position.Offset : length, true);
                    continue;
                }

                if (seg == position.Segment && f.Next > position.Offset)
                {
                    break; // a frame across the position: Replay's reads report it
                }

                if (!Derive(into, f, models, archive.IndexCatalogue.Cipher))
                {
                    break;
                }

                pos = f.Next;
            }

            reached = reached || Reached();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reached = false; // Replay reads the frame again and names what is wrong with it
        }
        finally
        {
            Abandon();
            waited = TimeSpan.FromSeconds(waitTicks / (double)time.TimestampFrequency);
        }

        if (!reached)
        {
            return false;
        }

        into.SetMeta("archive_id", archive.ArchiveId);
        into.SetMeta("schema", ArchiveIndex.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        into.SetMeta("position", ArchiveIndex.FormatPosition(position.Segment, position.Offset));
        return true;
    }

    /// <summary>The rows of one frame, as <c>ArchiveCatalogue.ApplyFrame</c> indexes it; false for a commit the scan did not decode.</summary>
    internal static bool Derive(ExpectedRows into, ScannedFrame f, Dictionary<string, Amber.Core.Model.ModelReference> models, IndexCipher? cipher = null)
    {
        var header = RecordFrame.ReadHeader(f.Frame!);
        var payload = RecordFrame.Payload(f.Frame!);
        switch (header.Kind)
        {
            case FrameKind.Dictionary:
                {
                    var (label, dict) = Compression.DecodeDictionaryPayload(payload);
                    IndexRowDeriver.Dictionary(into, Compression.DictionaryIdOf(dict), label, f.Segment, f.Offset, dict.Length);
                    return true;
                }

            case FrameKind.Checkpoint:
                IndexRowDeriver.Checkpoint(into, f.Segment, f.Offset, payload);
                return true;
            default:
                if (f.Commits is null)
                {
                    return false;
                }

                foreach (var p in f.Commits)
                {
                    IndexRowDeriver.Apply(into, p.Commit!, models, p.ParsedNodes(), cipher);
                }

                return true;
        }
    }

    public void Dispose()
    {
        queue.Dispose();
        abandoned.Dispose();
    }
}
