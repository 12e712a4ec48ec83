// placeholder: static
