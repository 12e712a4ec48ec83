// placeholder: grader
