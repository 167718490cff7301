package io.mlserve.config;

/**
 * A configuration value that cannot be used. The message always names the key, where the value came from
 * (default, file or environment variable) and the offending value, so an operator can fix it without reading code.
 */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String source, Object value, String problem) {
    super("invalid configuration " + key + (source == null ? "" : " (from " + source + ")")
        + " = '" + value + "': " + problem);
    this.key = key;
  }

  public ConfigException(String message) {
    super(message);
    this.key = null;
  }

  public String key() {
    return key;
  }
}
