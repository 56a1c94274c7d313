// Placeholder: replaced by the Kafka wire codec.
