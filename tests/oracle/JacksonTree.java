// Oracle for tests: reports what Jackson's YAML tree reader makes of a YAML document.
//
// Camunda Optimize reads environment-config.yaml with a YAMLMapper (jackson-dataformat-yaml over
// SnakeYAML) that has JsonParser.Feature.ALLOW_COMMENTS enabled and calls readTree(InputStream).
// This program builds its mapper the same way and prints a typed encoding of the resulting tree,
// so a Python test can compare types as well as values.
//
// Run (single-file source launcher, no build tool):
//   java -cp JACKSON_AND_SNAKEYAML_JARS JacksonTree.java           line protocol on stdin/stdout
//   java -cp JACKSON_AND_SNAKEYAML_JARS JacksonTree.java --files F...  one line per file
//
// Request (one JSON object a line): {"text": "..."} with optional fields
//   "b64":  base64 of raw bytes to read instead of "text" (for BOM / encoding experiments)
//   "mode": "tree"   (default) mapper.readTree(InputStream of the UTF-8 bytes), as Optimize does
//           "string" mapper.readTree(String)
//           "list"   mapper.readValue(String, List<Object>): what Optimize does with a resolved
//                    string value that looks like "[...]"
// Response (one JSON line, flushed): {"ok": true, "tree": NODE} or {"ok": false, "error": "..."}
//   (an error whose message has several lines also carries the whole message as "detail")
// NODE: {"t": "map", "v": [[key, NODE], ...]} | {"t": "seq", "v": [NODE, ...]}
//       {"t": "str", "v": "..."} | {"t": "bool", "v": true} | {"t": "null"}
//       {"t": "int", "v": "123", "j": "IntNode"} | {"t": "float", "v": "1.5", "j": "DoubleNode"}
//       {"t": "decimal", "v": "1.50", "j": "DecimalNode"} | {"t": "binary", "v": "<base64>"}
//       {"t": "other", "v": "<class>: <toString>"}   (e.g. MissingNode for an empty document)

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

public final class JacksonTree {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final TypeReference<List<Object>> LIST_OF_OBJECTS = new TypeReference<>() {};

  /** The mapper under test: configured like Optimize's configuration mapper. */
  private final YAMLMapper yaml;

  /** Plain JSON mapper for the protocol itself (requests in, responses out). */
  private final ObjectMapper json;

  private JacksonTree() {
    yaml = new YAMLMapper();
    yaml.configure(JsonParser.Feature.ALLOW_COMMENTS, true);
    json = new ObjectMapper();
    // Our encoding nests two or three JSON levels per YAML level; lift the writer's depth limit
    // so that a deep (but accepted) YAML tree can still be reported.
    json.getFactory()
        .setStreamWriteConstraints(
            StreamWriteConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build());
  }

  public static void main(String[] args) throws Exception {
    // Run on a thread with a large stack: encoding and serialising a deep tree recurses.
    Throwable[] failure = new Throwable[1];
    Thread worker =
        new Thread(
            null,
            () -> {
              try {
                new JacksonTree().run(args);
              } catch (Throwable t) {
                failure[0] = t;
              }
            },
            "jackson-tree",
            1L << 29);
    worker.start();
    worker.join();
    if (failure[0] != null) {
      failure[0].printStackTrace();
      System.exit(1);
    }
  }

  private void run(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    if (args.length > 0 && args[0].equals("--files")) {
      for (int i = 1; i < args.length; i++) {
        ObjectNode response;
        try {
          byte[] data = Files.readAllBytes(Path.of(args[i]));
          response = answer(data, null, "tree");
        } catch (Throwable t) {
          response = failure(t);
        }
        ObjectNode line = NODES.objectNode();
        line.put("file", args[i]);
        line.setAll(response);
        emit(out, line);
      }
      return;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      ObjectNode response;
      try {
        response = handle(line);
      } catch (Throwable t) {
        response = failure(t);
      }
      emit(out, response);
    }
  }

  private void emit(PrintStream out, ObjectNode response) {
    String text;
    try {
      text = json.writeValueAsString(response);
    } catch (Throwable t) {
      // Fall back to a response that surely serialises.
      ObjectNode fallback = failure(t);
      try {
        text = json.writeValueAsString(fallback);
      } catch (Throwable again) {
        text = "{\"ok\":false,\"error\":\"InternalError: response could not be serialised\"}";
      }
    }
    out.print(text);
    out.print('\n');
    out.flush();
  }

  private ObjectNode handle(String line) throws Exception {
    JsonNode request = json.readTree(line);
    if (request == null || !request.isObject()) {
      throw new IllegalArgumentException("request is not a JSON object");
    }
    String mode = request.path("mode").asText("tree");
    JsonNode b64 = request.get("b64");
    if (b64 != null && !b64.isNull()) {
      return answer(Base64.getDecoder().decode(b64.asText()), null, mode);
    }
    JsonNode text = request.get("text");
    if (text == null || !text.isTextual()) {
      throw new IllegalArgumentException("request has no string field \"text\"");
    }
    return answer(text.asText().getBytes(StandardCharsets.UTF_8), text.asText(), mode);
  }

  /** Parses one document; {@code text} is used by the String based modes (decoded if null). */
  private ObjectNode answer(byte[] data, String text, String mode) {
    try {
      String source = text != null ? text : new String(data, StandardCharsets.UTF_8);
      JsonNode encoded;
      switch (mode) {
        case "tree":
          encoded = encodeTree(yaml.readTree(new ByteArrayInputStream(data)));
          break;
        case "string":
          encoded = encodeTree(yaml.readTree(source));
          break;
        case "list":
          encoded = encodeObject(yaml.readValue(source, LIST_OF_OBJECTS));
          break;
        default:
          throw new IllegalArgumentException("unknown mode: " + mode);
      }
      ObjectNode response = NODES.objectNode();
      response.put("ok", true);
      response.set("tree", encoded);
      return response;
    } catch (Throwable t) {
      return failure(t);
    }
  }

  private static ObjectNode failure(Throwable t) {
    String full = String.valueOf(t.getMessage());
    String message = full;
    int newline = full.indexOf('\n');
    if (newline >= 0) {
      message = full.substring(0, newline);
    }
    ObjectNode response = NODES.objectNode();
    response.put("ok", false);
    response.put("error", t.getClass().getSimpleName() + ": " + message.strip());
    if (newline >= 0) {
      // The whole message (SnakeYAML puts the problem and its position on later lines).
      response.put("detail", full.strip());
    }
    return response;
  }

  // ---- encoding of Jackson trees -------------------------------------------------------------

  private static ObjectNode typed(String type) {
    ObjectNode node = NODES.objectNode();
    node.put("t", type);
    return node;
  }

  /** Encodes a JsonNode tree (recursive: main() runs us on a thread with a large stack). */
  private static JsonNode encodeTree(JsonNode node) {
    if (node != null && node.isObject()) {
      ObjectNode enc = typed("map");
      ArrayNode pairs = enc.putArray("v");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        ArrayNode pair = pairs.addArray();
        pair.add(field.getKey());
        pair.add(encodeTree(field.getValue()));
      }
      return enc;
    }
    if (node != null && node.isArray()) {
      ObjectNode enc = typed("seq");
      ArrayNode items = enc.putArray("v");
      for (JsonNode item : node) {
        items.add(encodeTree(item));
      }
      return enc;
    }
    return encodeScalar(node);
  }

  private static ObjectNode encodeScalar(JsonNode node) {
    if (node == null || node.isNull()) {
      return typed("null");
    }
    if (node.isTextual()) {
      ObjectNode enc = typed("str");
      enc.put("v", node.textValue());
      return enc;
    }
    if (node.isBoolean()) {
      ObjectNode enc = typed("bool");
      enc.put("v", node.booleanValue());
      return enc;
    }
    if (node.isIntegralNumber()) {
      ObjectNode enc = typed("int");
      enc.put("v", node.bigIntegerValue().toString());
      enc.put("j", node.getClass().getSimpleName());
      return enc;
    }
    if (node.isBigDecimal()) {
      ObjectNode enc = typed("decimal");
      enc.put("v", node.decimalValue().toPlainString());
      enc.put("j", node.getClass().getSimpleName());
      return enc;
    }
    if (node.isFloatingPointNumber()) {
      ObjectNode enc = typed("float");
      enc.put("v", Double.toString(node.doubleValue()));
      enc.put("j", node.getClass().getSimpleName());
      return enc;
    }
    if (node.isBinary()) {
      ObjectNode enc = typed("binary");
      try {
        enc.put("v", Base64.getEncoder().encodeToString(node.binaryValue()));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      return enc;
    }
    ObjectNode enc = typed("other");
    enc.put("v", node.getClass().getSimpleName() + ": " + node);
    return enc;
  }

  // ---- encoding of plain Java values (mode "list") -------------------------------------------

  private static JsonNode encodeObject(Object value) {
    if (value == null) {
      return typed("null");
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode enc = typed("map");
      ArrayNode pairs = enc.putArray("v");
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        ArrayNode pair = pairs.addArray();
        pair.add(String.valueOf(entry.getKey()));
        pair.add(encodeObject(entry.getValue()));
      }
      return enc;
    }
    if (value instanceof List<?> list) {
      ObjectNode enc = typed("seq");
      ArrayNode items = enc.putArray("v");
      for (Object item : list) {
        items.add(encodeObject(item));
      }
      return enc;
    }
    if (value instanceof String s) {
      ObjectNode enc = typed("str");
      enc.put("v", s);
      return enc;
    }
    if (value instanceof Boolean b) {
      ObjectNode enc = typed("bool");
      enc.put("v", b);
      return enc;
    }
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      ObjectNode enc = typed("int");
      enc.put("v", value.toString());
      enc.put("j", value.getClass().getSimpleName());
      return enc;
    }
    if (value instanceof BigDecimal d) {
      ObjectNode enc = typed("decimal");
      enc.put("v", d.toPlainString());
      enc.put("j", "BigDecimal");
      return enc;
    }
    if (value instanceof Double || value instanceof Float) {
      ObjectNode enc = typed("float");
      enc.put("v", Double.toString(((Number) value).doubleValue()));
      enc.put("j", value.getClass().getSimpleName());
      return enc;
    }
    if (value instanceof byte[] bytes) {
      ObjectNode enc = typed("binary");
      enc.put("v", Base64.getEncoder().encodeToString(bytes));
      return enc;
    }
    ObjectNode enc = typed("other");
    enc.put("v", value.getClass().getSimpleName() + ": " + value);
    return enc;
  }
}
