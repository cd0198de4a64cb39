using System.Collections.Concurrent;
using Amber.Storage.Format;

namespace Amber.Storage.Verification;

/// <summary>
/// Starts <see cref="PreparedFrame.Prepare"/> of each commit frame on the thread pool as the segment scan reads it. A
/// frame needs only the dictionaries in the frames before it, which are taken here as they are read (a copy per change,
/// so a frame prepared later still sees exactly those before it). Each worker decodes with a <see cref="Compression"/>
/// of its own (it is not thread-safe), taken from a pool.
/// </summary>
internal sealed class FramePreparer(TimeProvider time, Keys.ContentKeys? keys = null) : IDisposable
{
    private readonly ConcurrentBag<(Compression Compression, Dictionary<uint, byte[]> Dictionaries)> idle = [];
    private Dictionary<uint, byte[]> dictionaries = [];

    /// <summary>Starts preparing a frame just read; null for a frame that is not a commit (checked in order as it is).</summary>
    public Task<PreparedFrame[]>? Start(uint segment, long offset, byte[] frame)
    {
        var header = RecordFrame.ReadHeader(frame);
        if (header.Kind == FrameKind.Dictionary)
        {
            try
            {
                var (_, dict) = Compression.DecodeDictionaryPayload(RecordFrame.Payload(frame));
                dictionaries = new Dictionary<uint, byte[]>(dictionaries) { [Compression.DictionaryIdOf(dict)] = dict };
            }
            catch (FormatException)
            {
                // The check in file order reports it; frames after it decode without it, as they did.
            }

            return null;
        }

        if (header.Kind is not (FrameKind.Commit or FrameKind.Commits))
        {
            return null;
        }

        var known = dictionaries;
        return Task.Run(() =>
        {
            if (!idle.TryTake(out var worker))
            {
                var own = new Dictionary<uint, byte[]>();
                worker = (new Compression(own, keys), own);
            }

            try
            {
                foreach (var (id, dict) in known)
                {
                    if (!worker.Dictionaries.ContainsKey(id))
                    {
                        worker.Compression.AddDictionary(id, dict);
                    }
                }

                return PreparedFrame.Prepare(segment, offset, frame, worker.Compression, time);
            }
            finally
            {
                idle.Add(worker);
            }
        });
    }

    public void Dispose()
    {
        while (idle.TryTake(out var worker))
        {
            worker.Compression.Dispose();
        }
    }
}
