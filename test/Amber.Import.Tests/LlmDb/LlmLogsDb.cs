using Microsoft.Data.Sqlite;

namespace Amber.Import.Tests.LlmDb;

/// <summary>
/// Writes a small logs.db the way Simon Willison's `llm` lays it out after all its migrations (m001–m021 of
/// llm/migrations.py: conversations, responses with usage/schema/resolved_model, FTS, attachments, fragments,
/// tools, tool calls and results), filled with synthetic rows.
/// </summary>
internal static class LlmLogsDb
{
    public const string Schema = """
        CREATE TABLE [_llm_migrations] ([name] TEXT PRIMARY KEY, [applied_at] TEXT);
        CREATE TABLE [conversations] ([id] TEXT PRIMARY KEY, [name] TEXT, [model] TEXT);
        CREATE TABLE [schemas] ([id] TEXT PRIMARY KEY, [content] TEXT);
        CREATE TABLE "responses" (
           [id] TEXT PRIMARY KEY,
           [model] TEXT,
           [prompt] TEXT,
           [system] TEXT,
           [prompt_json] TEXT,
           [options_json] TEXT,
           [response] TEXT,
           [response_json] TEXT,
           [conversation_id] TEXT REFERENCES [conversations]([id]),
           [duration_ms] INTEGER,
           [datetime_utc] TEXT,
           [input_tokens] INTEGER,
           [output_tokens] INTEGER,
           [token_details] TEXT,
           [schema_id] TEXT REFERENCES [schemas]([id]),
           [resolved_model] TEXT
        );
        CREATE VIRTUAL TABLE [responses_fts] USING FTS5 ([prompt], [response], content=[responses]);
        CREATE TABLE [attachments] ([id] TEXT PRIMARY KEY, [type] TEXT, [path] TEXT, [url] TEXT, [content] BLOB);
        CREATE TABLE [prompt_attachments] (
           [response_id] TEXT REFERENCES [responses]([id]),
           [attachment_id] TEXT REFERENCES [attachments]([id]),
           [order] INTEGER,
           PRIMARY KEY ([response_id], [attachment_id])
        );
        CREATE TABLE [fragments] ([id] INTEGER PRIMARY KEY, [hash] TEXT, [content] TEXT, [datetime_utc] TEXT, [source] TEXT);
        CREATE UNIQUE INDEX [idx_fragments_hash] ON [fragments] ([hash]);
        CREATE TABLE [fragment_aliases] ([alias] TEXT PRIMARY KEY, [fragment_id] INTEGER REFERENCES [fragments]([id]));
        CREATE TABLE "prompt_fragments" (
           [response_id] TEXT REFERENCES [responses]([id]),
           [fragment_id] INTEGER REFERENCES [fragments]([id]),
           [order] INTEGER,
           PRIMARY KEY ([response_id], [fragment_id], [order])
        );
        CREATE TABLE "system_fragments" (
           [response_id] TEXT REFERENCES [responses]([id]),
           [fragment_id] INTEGER REFERENCES [fragments]([id]),
           [order] INTEGER,
           PRIMARY KEY ([response_id], [fragment_id], [order])
        );
        CREATE TABLE [tools] ([id] INTEGER PRIMARY KEY, [hash] TEXT, [name] TEXT, [description] TEXT, [input_schema] TEXT, [plugin] TEXT);
        CREATE UNIQUE INDEX [idx_tools_hash] ON [tools] ([hash]);
        CREATE TABLE [tool_responses] (
           [tool_id] INTEGER REFERENCES [tools]([id]),
           [response_id] TEXT REFERENCES [responses]([id]),
           PRIMARY KEY ([tool_id], [response_id])
        );
        CREATE TABLE [tool_calls] (
           [id] INTEGER PRIMARY KEY,
           [response_id] TEXT REFERENCES [responses]([id]),
           [tool_id] INTEGER REFERENCES [tools]([id]),
           [name] TEXT,
           [arguments] TEXT,
           [tool_call_id] TEXT
        );
        CREATE TABLE [tool_instances] ([id] INTEGER PRIMARY KEY, [plugin] TEXT, [name] TEXT, [arguments] TEXT);
        CREATE TABLE "tool_results" (
           [id] INTEGER PRIMARY KEY,
           [response_id] TEXT REFERENCES [responses]([id]),
           [tool_id] INTEGER REFERENCES [tools]([id]),
           [name] TEXT,
           [output] TEXT,
           [tool_call_id] TEXT,
           [instance_id] INTEGER REFERENCES [tool_instances]([id]),
           [exception] TEXT
        );
        CREATE TABLE [tool_results_attachments] (
           [tool_result_id] INTEGER REFERENCES [tool_results]([id]),
           [attachment_id] TEXT REFERENCES [attachments]([id]),
           [order] INTEGER,
           PRIMARY KEY ([tool_result_id], [attachment_id])
        );
        """;

    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 42];

    /// <summary>
    /// Conversation A (three responses: a tool call, its result, a photo), B (fragments, a system fragment),
    /// C (no responses), and one legacy response without a conversation. <paramref name="full"/> false leaves
    /// out A's third response (an "older" logs.db).
    /// </summary>
    public static void Create(string path, bool full = true)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        Run(c, Schema);
        Run(c, "INSERT INTO _llm_migrations VALUES ('m001_initial', '2025-01-01 00:00:00+00:00')");
        Run(c, "INSERT INTO conversations VALUES ('01jaaaaaaaaaaaaaaaaaaaaaaa', 'Weather in Paris', 'gpt-4o-mini')");
        Run(c, "INSERT INTO conversations VALUES ('01jbbbbbbbbbbbbbbbbbbbbbbb', 'Summarize the README', 'claude-3.5-sonnet')");
        Run(c, "INSERT INTO conversations VALUES ('01jccccccccccccccccccccccc', 'Never answered', 'gpt-4o')");
        Run(c, "INSERT INTO tools VALUES (1, 'h1', 'get_weather', 'Current weather for a city', '{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}', NULL)");
        Run(c, "INSERT INTO schemas VALUES ('s1', '{\"type\":\"object\",\"properties\":{\"animal\":{\"type\":\"string\"}}}')");

        Response(c, "01jr1", "gpt-4o-mini", "What is the weather in Paris?", "You are terse.", "{\"temperature\": 0.2}", "", "01jaaaaaaaaaaaaaaaaaaaaaaa", 812, "2025-05-01T10:00:00.123456+00:00", 31, 12, "{\"cached_tokens\": 0}", null, "gpt-4o-mini-2024-07-18",
            "{\"messages\": [{\"role\": \"system\", \"content\": \"You are terse.\"}, {\"role\": \"user\", \"content\": \"What is the weather in Paris?\"}]}",
            "{\"id\": \"chatcmpl-1\", \"model\": \"gpt-4o-mini-2024-07-18\", \"finish_reason\": \"tool_calls\", \"system_fingerprint\": \"fp_1\"}");
        Run(c, "INSERT INTO tool_responses VALUES (1, '01jr1')");
        Run(c, "INSERT INTO tool_calls VALUES (1, '01jr1', 1, 'get_weather', '{\"city\": \"Paris\"}', 'call_1')");

        Response(c, "01jr2", "gpt-4o-mini", "", "You are terse.", "{\"temperature\": 0.2}", "It is sunny and 21C in Paris.", "01jaaaaaaaaaaaaaaaaaaaaaaa", 640, "2025-05-01T10:00:02.5+00:00", 60, 9, null, null, "gpt-4o-mini-2024-07-18", null,
            "{\"id\": \"chatcmpl-2\", \"model\": \"gpt-4o-mini-2024-07-18\", \"finish_reason\": \"stop\", \"system_fingerprint\": \"fp_1\"}");
        Run(c, "INSERT INTO tool_results VALUES (1, '01jr2', 1, 'get_weather', 'sunny, 21C', 'call_1', NULL, NULL)");

        if (full)
        {
            Response(c, "01jr3", "gpt-4o-mini", "What animal is in this photo?", null, "{}", "{\"animal\": \"cat\"}", "01jaaaaaaaaaaaaaaaaaaaaaaa", 1500, "2025-05-01 10:01:00.000001+00:00", 300, 7, null, "s1", null, null, null);
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO attachments VALUES ('a-png', 'image/png', '/home/u/cat.png', NULL, $content)";
            cmd.Parameters.AddWithValue("$content", Png);
            cmd.ExecuteNonQuery();
            Run(c, "INSERT INTO attachments VALUES ('a-url', 'image/jpeg', NULL, 'https://example.com/cat.jpg', NULL)");
            Run(c, "INSERT INTO prompt_attachments VALUES ('01jr3', 'a-png', 0)");
            Run(c, "INSERT INTO prompt_attachments VALUES ('01jr3', 'a-url', 1)");
        }

        Run(c, "INSERT INTO fragments VALUES (1, 'fh1', '# README\nHello.', '2025-04-01T00:00:00+00:00', 'README.md')");
        Run(c, "INSERT INTO fragments VALUES (2, 'fh2', 'Answer in French.', '2025-04-01T00:00:00+00:00', 'style.txt')");
        Response(c, "01jr4", "claude-3.5-sonnet", "Summarize this.", "Summarize.", "{}", "Un fichier README.", "01jbbbbbbbbbbbbbbbbbbbbbbb", 2000, "2025-04-02T09:00:00+00:00", null, null, null, null, null, null, null);
        Run(c, "INSERT INTO prompt_fragments VALUES ('01jr4', 1, 0)");
        Run(c, "INSERT INTO system_fragments VALUES ('01jr4', 2, 0)");

        Response(c, "legacy-1", "gpt-3.5-turbo", "Hello?", null, null, "Hi!", null, 300, "2023-07-01T08:00:00", null, null, null, null, null, null, null);
    }

    private static void Response(SqliteConnection c, string id, string model, string? prompt, string? system, string? options, string? response, string? conversation, long duration, string datetime, long? input, long? output, string? details, string? schema, string? resolved, string? promptJson, string? responseJson)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO responses VALUES ($id, $model, $prompt, $system, $pj, $options, $response, $rj, $conversation, $duration, $datetime, $input, $output, $details, $schema, $resolved)";
        foreach (var (name, value) in new (string, object?)[]
        {
            ("$id", id), ("$model", model), ("$prompt", prompt), ("$system", system), ("$pj", promptJson), ("$options", options),
            ("$response", response), ("$rj", responseJson), ("$conversation", conversation), ("$duration", duration), ("$datetime", datetime),
            ("$input", input), ("$output", output), ("$details", details), ("$schema", schema), ("$resolved", resolved),
        })
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        cmd.ExecuteNonQuery();
    }

    private static void Run(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
