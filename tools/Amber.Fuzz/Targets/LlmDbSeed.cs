using Microsoft.Data.Sqlite;

namespace Amber.Fuzz.Targets;

/// <summary>A small synthetic logs.db of the llm CLI (the tables its importer reads), as bytes: the llm-db format's seed.</summary>
public static class LlmDbSeed
{
    public static byte[] Create()
    {
        var path = Path.Combine(Path.GetTempPath(), $"amber-fuzz-llm-{Guid.NewGuid():N}.db");
        try
        {
            using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = """
                    PRAGMA journal_mode = DELETE;
                    CREATE TABLE [conversations] ([id] TEXT PRIMARY KEY, [name] TEXT, [model] TEXT);
                    CREATE TABLE [responses] ([id] TEXT PRIMARY KEY, [model] TEXT, [prompt] TEXT, [system] TEXT, [prompt_json] TEXT,
                      [options_json] TEXT, [response] TEXT, [response_json] TEXT, [conversation_id] TEXT REFERENCES [conversations]([id]),
                      [duration_ms] INTEGER, [datetime_utc] TEXT, [input_tokens] INTEGER, [output_tokens] INTEGER, [token_details] TEXT);
                    INSERT INTO conversations VALUES ('01jaaaaaaaaaaaaaaaaaaaaaaa', 'Weather', 'gpt-4o-mini');
                    INSERT INTO responses VALUES ('01jr1', 'gpt-4o-mini', 'Weather in Paris?', 'You are terse.', NULL, '{"temperature": 0.2}',
                      'Sunny.', '{"id": "chatcmpl-1"}', '01jaaaaaaaaaaaaaaaaaaaaaaa', 812, '2025-05-01T10:00:00.123456+00:00', 31, 12, NULL);
                    INSERT INTO responses VALUES ('01jr2', 'gpt-4o-mini', 'And tomorrow?', 'You are terse.', NULL, '{}',
                      'Rain.', NULL, '01jaaaaaaaaaaaaaaaaaaaaaaa', 640, '2025-05-01T10:00:02.5+00:00', 60, 9, NULL);
                    """;
                cmd.ExecuteNonQuery();
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
